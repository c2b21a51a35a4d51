/**
 * Confirmation before every admin action: an in-page modal <dialog> (focus is trapped and Escape
 * cancels, natively), not window.confirm, which blocks the page and which a test cannot drive.
 */
import { byId } from './dom';

export function confirmAction(text: string, action: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm');
  const ok = byId<HTMLButtonElement>('confirm-ok');
  const cancel = byId<HTMLButtonElement>('confirm-cancel');
  byId('confirm-text').textContent = text;
  ok.textContent = action;
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      dialog.close();
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('cancel', no);
    dialog.showModal();
    cancel.focus();
  });
}
