import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import { createRequire } from 'node:module';

const SWAGGER_UI_DIR = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'text/javascript',
};

const page = (specUrl: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>durable-sagas API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', tryItOutEnabled: true });</script>
</body></html>`;

/** Interactive docs served from the swagger-ui-dist package: works with no internet access. */
export function createDocsRoutes(specUrl: string) {
  const app = new Hono();
  app.get('/docs', (c) => c.html(page(specUrl)));
  app.get('/docs/:asset', async (c) => {
    const asset = c.req.param('asset');
    const type = ASSETS[asset];
    if (!type) return c.notFound();
    const body = await readFile(path.join(SWAGGER_UI_DIR, asset));
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
