// Exit this page: the button, Escape, or Shift pressed three times.
//
// GOV.UK Frontend's own ExitThisPage script is not used because it adds a history entry
// (location.href) and has no Escape key. Leaving goes through Daybook's /exit/ URL, which
// ends the session, with location.replace so this page is not left in the history.
//
// Escape always leaves, wherever the focus is (a text box, a date field, a menu): the
// service promises it. What someone was writing is kept first by `beforeLeave` (drafts.js
// queues it with sendBeacon), which never holds up or stops the exit.

const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;
const LEFT_KEY = "daybook-left";

function leave(exitUrl, beforeLeave) {
  try {
    beforeLeave();
  } catch (error) {
    // Keeping a draft must never stop anyone leaving.
  }
  try {
    sessionStorage.setItem(LEFT_KEY, "1");
  } catch (error) {
    // Storage may be blocked; leaving must still happen.
  }
  document.documentElement.style.display = "none";
  window.location.replace(exitUrl);
}

export function initQuickExit({ beforeLeave = () => {} } = {}) {
  const button = document.querySelector(".govuk-exit-this-page__button");
  if (!button) {
    return;
  }
  const exitUrl = button.getAttribute("href");
  let shiftTimes = [];
  let leaving = false;
  const leaveOnce = () => {
    if (!leaving) {
      leaving = true;
      leave(exitUrl, beforeLeave);
    }
  };

  button.addEventListener("click", (event) => {
    event.preventDefault();
    leaveOnce();
  });

  // Listened for on the window, before anything in the page sees the key, so no widget
  // can swallow Escape.
  window.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" || event.key === "Esc") {
        leaveOnce();
        return;
      }
      if (event.key !== "Shift") {
        // Only Shift pressed three times in a row leaves: typing capital letters (Shift,
        // then a letter) must never count, or writing "I saw Sam At Home" would exit.
        shiftTimes = [];
        return;
      }
      if (event.repeat) {
        return;
      }
      const now = Date.now();
      shiftTimes = shiftTimes.filter((time) => now - time < SHIFT_WINDOW_MS);
      shiftTimes.push(now);
      if (shiftTimes.length >= SHIFT_PRESSES) {
        leaveOnce();
      }
    },
    { capture: true }
  );
  // A browser's own date picker takes the Escape keydown to close itself; only the keyup
  // reaches the page. Escape still leaves.
  window.addEventListener(
    "keyup",
    (event) => {
      if (event.key === "Escape" || event.key === "Esc") {
        leaveOnce();
      }
    },
    { capture: true }
  );
}
