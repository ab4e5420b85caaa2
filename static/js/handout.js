// The handout's print button (studies/handout.html, handout_signin.html):
// hidden without JavaScript, where the browser's own Print (Ctrl+P) does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
