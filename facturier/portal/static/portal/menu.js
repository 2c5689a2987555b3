// On a phone the main menu folds behind its button; without JavaScript it simply stays open.
(function () {
  var toggle = document.getElementById("menu-toggle");
  var menu = document.getElementById("mainnav");
  if (!toggle || !menu) return;
  document.documentElement.classList.add("js");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
})();
