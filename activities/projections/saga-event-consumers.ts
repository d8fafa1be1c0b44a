import { loyaltyProjection } from './loyalty.projection.js';
import { sagaViewProjection } from './saga-view.projection.js';
import {
  startProjectionConsumer,
  type ProjectionConsumer,
  type ProjectionConsumerOptions,
} from './projection.consumer.js';

export interface ConsumerGroups {
  loyalty: string;
  orderView: string;
}

/** The loyalty and order-view consumers, each in its own group. */
export function startSagaEventConsumers({
  groups,
  ...options
}: Omit<ProjectionConsumerOptions, 'projection' | 'groupId'> & {
  groups: ConsumerGroups;
}): ProjectionConsumer[] {
  return [
    { projection: loyaltyProjection, groupId: groups.loyalty },
    { projection: sagaViewProjection, groupId: groups.orderView },
  ].map(({ projection, groupId }) => startProjectionConsumer({ ...options, projection, groupId }));
}
