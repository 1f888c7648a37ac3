// Progressive enhancement only: every page works without this file.
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
  createAll
} from "../govuk/govuk-frontend.min.js";
import { initQuickExit } from "./quick-exit.js";

for (const Component of [
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink
]) {
  createAll(Component);
}
initQuickExit();
