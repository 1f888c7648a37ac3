// Progressive enhancement only: every page works without this file.
import * as govuk from "../govuk/govuk-frontend.min.js";
import { flushDrafts, initDrafts } from "./drafts.js";
import { initQuickExit } from "./quick-exit.js";

// Drafts first: a form filled in again must be complete before the components set up
// their conditional parts.
initDrafts();

// GOV.UK Frontend's components, except ExitThisPage: quick-exit.js replaces it.
const COMPONENTS = [
  "Button",
  "CharacterCount",
  "Checkboxes",
  "ErrorSummary",
  "NotificationBanner",
  "PasswordInput",
  "Radios",
  "ServiceNavigation",
  "SkipLink"
];
for (const name of COMPONENTS) {
  govuk.createAll(govuk[name]);
}
initQuickExit({ beforeLeave: flushDrafts });
