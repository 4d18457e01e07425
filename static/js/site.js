// Progressive enhancement only: without JavaScript the menu stays open and "up" is a plain link.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var toggle = document.querySelector("[data-menu-toggle]");
    if (header && toggle) {
      toggle.setAttribute("role", "button");
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        var open = header.classList.toggle("menu-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // Embeds (articles/embeds.py): nothing is loaded from the provider until the reader clicks;
    // then the frame comes from one of the hosts the CSP's frame-src allows.
    var frameHosts = ["https://www.youtube-nocookie.com", "https://www.instagram.com",
      "https://platform.twitter.com", "https://www.facebook.com", "https://t.me"];
    document.querySelectorAll("[data-embed]").forEach(function (figure) {
      var link = figure.querySelector(".embed-link");
      var src = figure.getAttribute("data-embed");
      var origin;
      try { origin = new URL(src).origin; } catch (error) { return; }
      if (!link || frameHosts.indexOf(origin) < 0) { return; }
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var frame = document.createElement("iframe");
        frame.src = src;
        frame.title = figure.getAttribute("data-embed-title") || "";
        frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
        frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        frame.className = "embed-frame";
        figure.replaceChild(frame, link);
        figure.classList.add("embed-loaded");
        frame.focus();
      });
    });

    var up = document.querySelector("[data-scroll-up]");
    if (up) {
      var update = function () { up.hidden = window.scrollY < 400; };
      window.addEventListener("scroll", update, { passive: true });
      update();
      up.addEventListener("click", function (event) {
        event.preventDefault();
        window.scrollTo({ top: 0 });
        var content = document.getElementById("content");
        if (content) { content.focus({ preventScroll: true }); }
      });
    }
  });
})();
