/** `ApplicationFailure.type` values: the typed reasons a saga step or a saga fails. */
export const ErrorType = {
  OutOfStock: 'OutOfStock',
  InvalidOrder: 'InvalidOrder',
  SoldOut: 'SoldOut',
  EventNotFound: 'EventNotFound',
  PaymentDeclined: 'PaymentDeclined',
  PaymentRejected: 'PaymentRejected',
  PaymentDeadlineExceeded: 'PaymentDeadlineExceeded',
  CompensationFailed: 'CompensationFailed',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];
