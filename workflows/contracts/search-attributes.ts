import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes the sagas keep current, so the Web UI can filter by them. */
export const OrderStatusAttribute = defineSearchAttributeKey('OrderStatus', 'KEYWORD');
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', 'KEYWORD');
export const BookingStatusAttribute = defineSearchAttributeKey('BookingStatus', 'KEYWORD');
export const EventIdAttribute = defineSearchAttributeKey('EventId', 'KEYWORD');

export const CUSTOM_SEARCH_ATTRIBUTES = [
  OrderStatusAttribute,
  CustomerIdAttribute,
  BookingStatusAttribute,
  EventIdAttribute,
] as const;
