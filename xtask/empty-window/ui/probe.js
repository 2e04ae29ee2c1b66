// The start-up probe, as Roster's main.js does it: once the page is loaded
// and two animation frames have passed (the frame holding it was painted),
// tell Rust, which writes the time only under `cargo xtask bench`.
function told() {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__.invoke('first_screen_drawn').catch(() => {});
  }));
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', told, { once: true });
} else {
  told();
}
