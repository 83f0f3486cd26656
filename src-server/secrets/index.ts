// The secret store: encrypted system and per-user secrets, their HTTP routes, and what a
// job receives (the `secrets` global and upstream's FLUXBASE_SETTING_/FLUXBASE_USER_ names).
export {
  KEY_FILE_NAME,
  decryptSecret,
  encryptSecret,
  loadOrCreateEncryptionKey,
  parseEncryptionKey,
  type EncryptionKey,
} from "./crypto.ts";
export { MAX_VALUE_BYTES, SECRET_NAME, secretEnv } from "./rules.ts";
export { addSecretRoutes, type SecretRoutesOptions } from "./routes.ts";
export {
  createSecretStore,
  type JobSecrets,
  type SecretMetadata,
  type SecretOwner,
  type SecretStore,
} from "./store.ts";
export {
  createFunctionSecretStore,
  type FunctionSecret,
  type FunctionSecretStore,
} from "./function-secrets.ts";
export { addFunctionSecretRoutes } from "./function-routes.ts";
