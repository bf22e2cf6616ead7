import { forgetToken } from '../connection';
import { h } from '../ui/dom';

/** What a refused socket means and what to do (no token, a wrong one, or a role that cannot read). */
export function accessProblem(code: string, message: string): HTMLElement {
  document.title = 'no access · hyperfleet';
  const forget = h('button', { type: 'button' }, 'Forget the token and reload');
  forget.addEventListener('click', () => {
    forgetToken();
    location.reload();
  });
  const body =
    code === 'UNAUTHENTICATED'
      ? [
          'This dashboard needs a token. Open the link that ',
          h('code', {}, 'hyperfleet sweep submit'),
          ' printed, or add ',
          h('code', {}, '?token=<your token>'),
          ' to this address once: the token is then kept for this browser tab only and leaves the address bar.',
        ]
      : code === 'BAD_TOKEN'
        ? ['The token this tab holds is not valid for this server. Open the link again with a current token.']
        : ['This token cannot read sweeps: use one with the read role or higher.'];
  return h(
    'section',
    { class: 'card', id: 'access-problem', role: 'alert' },
    h('h1', {}, 'No access'),
    h('p', {}, ...body),
    h('p', { class: 'muted small' }, `The server said: ${message}`),
    code === 'UNAUTHENTICATED' ? null : forget,
  );
}
