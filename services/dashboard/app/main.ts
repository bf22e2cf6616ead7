import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { loadCapabilities } from './capabilities';
import { connect, shownHasEnded } from './connection';
import { accessProblem } from './pages/access-problem';
import { renderNotFound } from './pages/not-found';
import { sweepPage } from './pages/sweep-page';
import { sweepsPage } from './pages/sweeps-page';
import { trialPage } from './pages/trial-page';
import { probe } from './probe';
import { parseRoute, startRouter } from './router';
import { clear } from './ui/dom';
import { initTheme } from './ui/theme';

probe();
initTheme();
const socket = connect();
void loadCapabilities();
const conn = document.getElementById('conn')!;
socket.on('connect', () => {
  conn.textContent = 'live';
  conn.className = 'conn live';
});
socket.on('disconnect', (reason) => {
  conn.className = 'conn down';
  const serverGone = reason === 'transport close' || reason === 'io server disconnect';
  if (serverGone && shownHasEnded()) {
    socket.io.reconnection(false);
    conn.textContent = 'server stopped (the run has ended): reload to reconnect';
    return;
  }
  conn.textContent = 'reconnecting…';
  // A server-side disconnect is not retried by socket.io on its own.
  if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000);
});
const main = document.getElementById('app')!;
let dispose: (() => void) | null = null;

socket.on('connect_error', (err) => {
  const code = (err as Error & { data?: { code?: string } }).data?.code;
  const auth = code === 'UNAUTHENTICATED' || code === 'BAD_TOKEN' || code === 'FORBIDDEN';
  conn.textContent = auth ? 'no access' : 'cannot reach the controller';
  conn.className = 'conn down';
  conn.title = err.message;
  if (auth) {
    // A refused socket is not retried: say what to do instead of loading forever.
    dispose?.();
    dispose = null;
    clear(main);
    main.append(accessProblem(code, err.message));
  }
});

startRouter(() => {
  dispose?.();
  dispose = null;
  clear(main);
  const route = parseRoute(location.pathname);
  if (route.page === 'sweeps') dispose = sweepsPage(main, socket);
  else if (route.page === 'sweep') dispose = sweepPage(main, socket, route.sweepId);
  else if (route.page === 'trial') dispose = trialPage(main, socket, route.trialId);
  else renderNotFound(main, route.path);
});
