import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Headers on every response, API and dashboard: a CSP the Vite build satisfies (its scripts and styles are
 * files of its own, the socket is same-origin over ws/wss, the favicon a data: URL), no framing, no MIME
 * sniffing, no Referer. No HSTS: the server speaks plain HTTP; the TLS terminator in front sets it.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // uPlot and the charts set element styles from script.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}
