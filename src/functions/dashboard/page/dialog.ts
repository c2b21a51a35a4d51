/**
 * Confirmation before every admin action: an in-page modal <dialog> (focus is trapped and Escape
 * cancels, natively), not window.confirm, which blocks the page and which a test cannot drive.
 */
import { byId } from './dom';

export function confirmAction(text: string, action: string): Promise<boolean> {
  return confirmWithNote(text, action, false).then((answer) => answer !== undefined);
}

/** The same, with an optional note field (an alert's acknowledgement): the note, '' or undefined when cancelled. */
export function confirmWithNote(text: string, action: string, withNote = true): Promise<string | undefined> {
  const dialog = byId<HTMLDialogElement>('confirm');
  const note = byId<HTMLTextAreaElement>('confirm-note');
  byId('confirm-note-field').hidden = !withNote;
  note.value = '';
  const ok = byId<HTMLButtonElement>('confirm-ok');
  const cancel = byId<HTMLButtonElement>('confirm-cancel');
  byId('confirm-text').textContent = text;
  ok.textContent = action;
  return new Promise((resolve) => {
    const done = (answer: string | undefined) => {
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      dialog.close();
      resolve(answer);
    };
    const yes = () => done(note.value.trim());
    const no = () => done(undefined);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('cancel', no);
    dialog.showModal();
    cancel.focus();
  });
}
