/** Whether a key press belongs to a text field or a dialog rather than to the grid. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  // Checkboxes and color wells do not take characters; hotkeys still apply.
  return !['checkbox', 'radio', 'color', 'button', 'submit'].includes(type);
}

/** Enter and Space on a button or checkbox press it; they must not also open the preview. */
export function activatesControl(target: EventTarget | null, key: string): boolean {
  if (key !== 'Enter' && key !== ' ') return false;
  if (!(target instanceof HTMLElement)) return false;
  return target.tagName === 'BUTTON' || target.tagName === 'A' || target.tagName === 'INPUT';
}

/** A modal dialog (other than the preview) is open and owns the keyboard. */
export function modalIsOpen(doc: Document = document): boolean {
  return doc.querySelector('[data-modal-open]') !== null;
}
