export {
  CONNECTION_TYPES,
  ConnectionNotFoundError,
  ConnectionStore,
  type ConnectionRecord,
  type ConnectionType,
} from './connection-store.ts';
export { createSecretSealer } from './create-sealer.ts';
export {
  connectionSecretContext,
  openConnection,
  type OpenedConnection,
} from './open-connection.ts';
