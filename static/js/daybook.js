// Progressive enhancement only: every page works without this file.
import * as govuk from "../govuk/govuk-frontend.min.js";
import { initQuickExit } from "./quick-exit.js";

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
initQuickExit();
