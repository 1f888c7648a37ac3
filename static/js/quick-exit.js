// Exit this page: the button, Escape, or Shift pressed three times.
//
// GOV.UK Frontend's own ExitThisPage script is not used because it adds a history entry
// (location.href) and has no Escape key. Leaving goes through Daybook's /exit/ URL, which
// ends the session, with location.replace so this page is not left in the history.

const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;
const LEFT_KEY = "daybook-left";

function leave(exitUrl) {
  try {
    sessionStorage.setItem(LEFT_KEY, "1");
  } catch (error) {
    // Storage may be blocked; leaving must still happen.
  }
  document.documentElement.style.display = "none";
  window.location.replace(exitUrl);
}

export function initQuickExit() {
  const button = document.querySelector(".govuk-exit-this-page__button");
  if (!button) {
    return;
  }
  const exitUrl = button.getAttribute("href");
  let shiftTimes = [];

  button.addEventListener("click", (event) => {
    event.preventDefault();
    leave(exitUrl);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      leave(exitUrl);
      return;
    }
    if (event.key !== "Shift" || event.repeat) {
      return;
    }
    const now = Date.now();
    shiftTimes = shiftTimes.filter((time) => now - time < SHIFT_WINDOW_MS);
    shiftTimes.push(now);
    if (shiftTimes.length >= SHIFT_PRESSES) {
      leave(exitUrl);
    }
  });
}
