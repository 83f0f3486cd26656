#!/usr/bin/env -S node --v8-pool-size=1
// Loads the TypeScript CLI in this process through tsx's loader, so signals reach it directly.
// --v8-pool-size=1: one V8 helper thread, as every Node launcher of the server runs it
// (package.json's scripts; docs/architecture.md, "Staying responsive under load").
import { register } from "tsx/esm/api";

register();
await import("../src-server/cli/main.ts");
