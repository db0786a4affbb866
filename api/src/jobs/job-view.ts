// The view lives in shared: the worker sends it in webhook events too.
export { jobView, type ResultLinks } from '@contacts/shared';
