/** What every tab's panel offers the app. */
import type { Current, Model } from './model.ts';

export interface Panel {
  readonly id: string;
  readonly title: string;
  readonly root: HTMLElement;
  /** Shows the analysis of the current inputs (called when the panel is visible and the inputs changed). */
  update(cur: Current, model: Model): void | Promise<void>;
}

/** The message shown in a panel when the current inputs cannot be analysed. */
export const STALE =
  'Not analysed: the current inputs have an error (see the message above). Fix it, or undo the change.';
