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
