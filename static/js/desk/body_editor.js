// The article body's rich-text editor: django-prose-editor's ProseMirror with the portal's
// marks and blocks only. The server sanitises whatever arrives (articles/html.py); this is
// the editor's convenience, never the safety.
import * as prose from "../../django_prose_editor/editor.js";

// Elements and attributes the server drops: named to the editor when a paste carries them.
const DROPPED = ["script", "style", "iframe", "object", "embed", "form", "video", "audio", "svg"];

function extensions() {
  return [
    prose.Document, prose.Text, prose.Paragraph, prose.HardBreak,
    prose.Dropcursor, prose.Gapcursor, prose.History, prose.Menu,
    prose.Bold, prose.Italic,
    // h4 and tables are what imported articles may carry: kept, so opening one loses nothing.
    prose.Heading.configure({ levels: [2, 3, 4] }),
    prose.BulletList, prose.OrderedList, prose.ListItem, prose.Blockquote,
    prose.Link.configure({ enableTarget: false, protocols: ["http", "https", "mailto"] }),
    prose.Figure, prose.Caption, prose.Image,
    prose.Table, prose.TableRow, prose.TableHeader, prose.TableCell,
  ];
}

function describeDropped(html, messages) {
  const found = [];
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const tag of DROPPED) {
    if (doc.querySelector(tag)) { found.push("<" + tag + ">"); }
  }
  const all = Array.from(doc.querySelectorAll("*"));
  if (all.some((el) => el.hasAttribute("style"))) { found.push(messages.styleAttribute); }
  if (all.some((el) => Array.from(el.attributes).some((a) => a.name.startsWith("on")))) {
    found.push(messages.scriptAttribute);
  }
  return found;
}

function notice(wrapper, text) {
  let box = wrapper.parentElement.querySelector(".desk-notice");
  if (!box) {
    box = document.createElement("p");
    box.className = "desk-notice";
    box.setAttribute("role", "status");
    wrapper.after(box);
  }
  box.textContent = text;
}

function picturesPanel(editor, wrapper, pictures, messages) {
  const panel = document.createElement("div");
  panel.className = "desk-pictures";
  const heading = document.createElement("p");
  heading.className = "desk-pictures-title";
  heading.textContent = messages.pictures;
  panel.append(heading);
  if (!pictures.length) {
    const empty = document.createElement("p");
    empty.className = "help";
    empty.textContent = messages.noPictures;
    panel.append(empty);
  }
  for (const picture of pictures) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "desk-picture";
    button.title = messages.insert;
    const thumb = document.createElement("img");
    thumb.src = picture.thumb || picture.url;
    thumb.alt = "";
    const label = document.createElement("span");
    label.textContent = messages.insert + ": " + (picture.caption || picture.alt || "");
    button.append(thumb, label);
    button.addEventListener("click", () => {
      const figure = document.createElement("figure");
      const img = document.createElement("img");
      img.src = picture.url;
      img.alt = picture.alt || "";
      figure.append(img);
      if (picture.caption) {
        const caption = document.createElement("figcaption");
        caption.textContent = picture.caption;
        figure.append(caption);
      }
      editor.chain().focus().insertContent(figure.outerHTML).run();
    });
    panel.append(button);
  }
  wrapper.after(panel);
}

function start(textarea) {
  if (textarea.closest(".prose-editor")) { return; }
  const messages = JSON.parse(textarea.dataset.messages || "{}");
  const pictures = JSON.parse(textarea.dataset.pictures || "[]");
  const editor = prose.createTextareaEditor(textarea, extensions());
  textarea.proseEditor = editor; // for autosave.js's restore
  const wrapper = textarea.closest(".prose-editor");
  // Told before ProseMirror parses the paste (and drops what its schema does not know).
  wrapper.addEventListener("paste", (event) => {
    const html = event.clipboardData && event.clipboardData.getData("text/html");
    if (!html) { return; }
    const dropped = describeDropped(html, messages);
    if (dropped.length) {
      notice(wrapper, messages.pasteRemoved.replace("%(items)s", dropped.join(", ")));
    }
  }, true);
  picturesPanel(editor, wrapper, pictures, messages);
  textarea.dispatchEvent(new CustomEvent("desk:editor-ready", { bubbles: true, detail: { editor } }));
}

document.querySelectorAll("textarea[data-body-editor]").forEach(start);
