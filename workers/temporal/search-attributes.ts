import type { NativeConnection } from '@temporalio/worker';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes.js';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType

/**
 * The local dev server registers these at start; a server the user runs may not have them yet.
 * Adds whichever are missing (sagas fail to upsert unknown attributes).
 */
export async function ensureSearchAttributes(
  connection: NativeConnection,
  namespace: string,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
  });
}
