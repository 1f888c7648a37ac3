// Drafts: what someone writes in a form is kept on the server as they type, and once more
// just before they leave with Exit this page, so leaving at once never loses it.
//
// Forms that keep drafts carry a hidden input named "daybook_draft" (the draft_for template
// tag). Nothing is kept in the browser: a draft lives only on the server, sealed, and the
// form is filled in again from the page the server sends.

const FIELD = "daybook_draft";
const SAVE_DELAY_MS = 2000;
const SKIPPED_TYPES = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);

const drafts = [];

function labelOf(element) {
  const label = element.labels && element.labels[0];
  return label ? label.textContent.replace(/\s+/g, " ").trim() : element.name;
}

function keptElements(form) {
  return Array.from(form.elements).filter((element) => {
    const type = (element.type || "").toLowerCase();
    return element.name && element.name !== FIELD && !SKIPPED_TYPES.has(type) && !element.disabled;
  });
}

function payloadOf(form) {
  const fields = {};
  const texts = [];
  for (const element of keptElements(form)) {
    const type = (element.type || "").toLowerCase();
    const values = fields[element.name] || (fields[element.name] = []);
    if (type === "checkbox" || type === "radio") {
      if (element.checked) {
        values.push(element.value);
      }
    } else if (element.tagName === "SELECT" && element.multiple) {
      for (const option of element.selectedOptions) {
        values.push(option.value);
      }
    } else {
      values.push(element.value);
      const written = element.tagName === "TEXTAREA" || type === "text" || type === "email";
      if (written && element.value.trim()) {
        texts.push([labelOf(element), element.value]);
      }
    }
  }
  return JSON.stringify({ fields, texts });
}

function restore(form, fields) {
  const seen = {};
  for (const element of keptElements(form)) {
    const values = fields[element.name];
    if (!Array.isArray(values)) {
      continue;
    }
    const type = (element.type || "").toLowerCase();
    if (type === "checkbox" || type === "radio") {
      element.checked = values.includes(element.value);
    } else if (element.tagName === "SELECT" && element.multiple) {
      for (const option of element.options) {
        option.selected = values.includes(option.value);
      }
    } else {
      const index = seen[element.name] || 0;
      seen[element.name] = index + 1;
      if (index < values.length) {
        element.value = values[index];
      }
    }
  }
}

function bodyOf(draft, payload) {
  const body = new FormData();
  body.append("csrfmiddlewaretoken", draft.token);
  body.append("key", draft.key);
  body.append("payload", payload);
  return body;
}

function say(draft, text) {
  if (draft.status) {
    draft.status.textContent = text;
  }
}

function save(draft) {
  window.clearTimeout(draft.timer);
  draft.timer = null;
  if (draft.sending) {
    return;
  }
  const payload = payloadOf(draft.form);
  if (payload === draft.saved) {
    return;
  }
  fetch(draft.url, { method: "POST", body: bodyOf(draft, payload), credentials: "same-origin" })
    .then((response) => {
      // Only 204 means kept: a sign-in page reached by a redirect is not.
      if (response.status === 204) {
        draft.saved = payload;
        say(draft, "");
      } else if (response.status === 413) {
        response.json().then((answer) => say(draft, answer.message), () => {});
      }
    })
    .catch(() => {
      // Offline or signed out: the next change, or sending the form, tries again.
    });
}

// Called by quick-exit.js just before it leaves. It only queues the request (sendBeacon
// returns at once), so the exit is never held up, and any failure is ignored.
export function flushDrafts() {
  for (const draft of drafts) {
    if (!draft.changed || draft.sending) {
      continue;
    }
    window.clearTimeout(draft.timer);
    const payload = payloadOf(draft.form);
    if (payload === draft.saved) {
      continue;
    }
    // The exit ends the session at the same moment: this save names the person by the
    // page's signed exit token, so it is kept whichever request arrives first.
    const body = new FormData();
    body.append("token", draft.exitToken);
    body.append("key", draft.key);
    body.append("payload", payload);
    let queued = false;
    try {
      queued = navigator.sendBeacon(draft.exitUrl, body);
    } catch (error) {
      queued = false;
    }
    if (!queued) {
      fetch(draft.exitUrl, { method: "POST", body, credentials: "omit", keepalive: true }).catch(() => {});
    }
  }
}

export function initDrafts() {
  for (const field of document.querySelectorAll(`input[name="${FIELD}"]`)) {
    const form = field.form;
    const token = form && form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!form || !token) {
      continue;
    }
    const draft = {
      form,
      key: field.value,
      url: field.dataset.draftSave,
      exitUrl: field.dataset.draftExitSave,
      exitToken: field.dataset.draftExitToken,
      token: token.value,
      status: form.querySelector(".daybook-draft-status"),
      timer: null,
      changed: false,
      sending: false,
      saved: null
    };
    const restoreId = field.dataset.draftRestore;
    const stored = restoreId && document.getElementById(restoreId);
    if (stored) {
      try {
        restore(form, JSON.parse(stored.textContent));
        const notice = form.querySelector(".daybook-draft-restored");
        if (notice) {
          notice.hidden = false;
        }
      } catch (error) {
        // A draft that cannot be read leaves the form as the server drew it.
      }
    }
    draft.saved = payloadOf(form);
    const note = form.querySelector(".daybook-draft-note");
    const noScriptNote = form.querySelector(".daybook-draft-nojs");
    if (note) {
      note.hidden = false;
    }
    if (noScriptNote) {
      noScriptNote.hidden = true;
    }
    const changed = () => {
      draft.changed = true;
      window.clearTimeout(draft.timer);
      draft.timer = window.setTimeout(() => save(draft), SAVE_DELAY_MS);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", () => {
      // Sending the form saves the text; a late autosave must not bring the draft back.
      window.clearTimeout(draft.timer);
      draft.sending = true;
    });
    drafts.push(draft);
  }
  window.addEventListener("pageshow", (event) => {
    // Back to a form kept in the browser's memory after sending it: keep saving again.
    if (event.persisted) {
      for (const draft of drafts) {
        draft.sending = false;
      }
    }
  });
}
