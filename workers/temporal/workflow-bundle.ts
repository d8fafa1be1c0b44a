import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const WORKFLOWS_DIR = path.join(PROJECT_ROOT, 'workflows');
const CACHE_DIR = path.join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'durable-sagas',
  'workflow-bundles',
);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * What the bundle is made of: the workflow sources (workflows/ imports nothing else but type-only
 * imports and packages), the locked package versions, and the interceptor modules chosen.
 */
async function bundleKey(workflowInterceptorModules: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [
    ...(await filesUnder(WORKFLOWS_DIR)),
    path.join(PROJECT_ROOT, 'package-lock.json'),
  ]) {
    hash.update(path.relative(PROJECT_ROOT, file)).update(await fs.readFile(file));
  }
  hash.update(
    JSON.stringify(workflowInterceptorModules.map((m) => path.relative(PROJECT_ROOT, m))),
  );
  return hash.digest('hex').slice(0, 32);
}

/**
 * The workflow bundle, built once per change of the workflow code and reused from disk: webpack
 * takes ~2.5 s, which a worker replacing a killed one would otherwise spend before it polls.
 * Several workers starting together may each build it; each writes its own file and renames it in
 * place, so a reader never sees half a bundle.
 */
export async function cachedWorkflowBundle({
  workflowsPath,
  workflowInterceptorModules = [],
}: {
  workflowsPath: string;
  workflowInterceptorModules?: string[];
}): Promise<WorkflowBundle> {
  const file = path.join(CACHE_DIR, `${await bundleKey(workflowInterceptorModules)}.js`);
  const cached = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (cached) return { code: cached };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    // Webpack's module-by-module report is noise at every start; warnings still show.
    logger: new DefaultLogger('WARN'),
  });
  await fs.mkdir(CACHE_DIR, { recursive: true });
  const partial = `${file}.${randomUUID()}.tmp`;
  await fs.writeFile(partial, code);
  await fs.rename(partial, file);
  return { code };
}
