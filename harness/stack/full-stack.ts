import { stackPaths, type StackConfig } from './config.js';
import { createPaymentGatewayComponent } from './components/payment-gateway.component.js';
import { createStack, type Stack } from './stack.js';

/** The whole local stack: the servers, then the services of ours that run beside them. */
export function createFullStack(config: StackConfig): Stack {
  // The same paths createStack derives: our components log and record pids beside the servers.
  const paths = stackPaths(config);
  return createStack(config, [[createPaymentGatewayComponent(config, paths)]]);
}
