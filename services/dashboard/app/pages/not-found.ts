import { h } from '../ui/dom';

export function renderNotFound(main: HTMLElement, path: string): void {
  document.title = 'not found · hyperfleet';
  main.append(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, 'Not found'),
      h('p', {}, `Nothing lives at ${path}. `, h('a', { href: '/', 'data-link': true }, 'All sweeps')),
    ),
  );
}
