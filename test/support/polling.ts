// The harness's one poll primitive and sleep, for the tests.
export { done, holds, notYet, pollUntil, sleep, type Poll } from '../../harness/support/polling.js';
