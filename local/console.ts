import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ExtraRoutes } from './api/server';

const ROOT = join(__dirname, '..', 'api', 'console');
const FILES: Record<string, { file: string; type: string }> = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/console/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * Serves the web console (api/console/: static files, no build step) beside the API. The page asks for the API
 * token and calls /v1 with it; the files themselves are public, as API Gateway would serve them from S3.
 * A strict Content-Security-Policy allows only this origin: no inline script, no third-party anything.
 */
export function consoleRoutes(): ExtraRoutes {
  const cache = new Map<string, Buffer>();
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const entry = FILES[path];
    if (!entry) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed');
      return true;
    }
    let body = cache.get(entry.file);
    if (!body) {
      body = readFileSync(join(ROOT, entry.file));
      cache.set(entry.file, body);
    }
    res.writeHead(200, {
      'content-type': entry.type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
