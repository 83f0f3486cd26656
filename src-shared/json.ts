// JSON values as they cross a wire: the SDK's payloads and results, the sandbox protocol.

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };
