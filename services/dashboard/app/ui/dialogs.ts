import { h } from './dom';

/** A modal confirmation on the native <dialog> (focus trap, Escape to cancel, keyboard-usable). */
export function confirmDialog(opts: {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'ok', class: opts.danger ? 'danger' : 'primary' }, opts.confirm);
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'ghost' }, 'Cancel');
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, opts.title),
        h('p', {}, opts.body),
        h('div', { class: 'actions' }, cancel, ok),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  host.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
