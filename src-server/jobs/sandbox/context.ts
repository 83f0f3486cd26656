// Builds the job context line the server writes on a sandbox's stdin and the commands
// that follow it; the protocol itself lives in src-shared/sandbox-protocol.ts.
import { MIN_MASKED_LENGTH } from "../../../src-shared/mask.ts";
import type { ControlCommand, JobContextMessage } from "../../../src-shared/sandbox-protocol.ts";
import type { JobRunSpec } from "../worker/runtime.ts";

const SECRET_VARIABLE = /^FLUXBASE_(SECRET|SETTING|USER)_/;

/** Secret values and tokens: never shown in a log line. */
export function secretValues(spec: JobRunSpec): string[] {
  const values = [
    ...Object.values(spec.secrets.user),
    ...Object.values(spec.secrets.system),
    ...Object.entries(spec.env)
      .filter(([name]) => SECRET_VARIABLE.test(name))
      .map(([, value]) => value),
    spec.userToken,
    spec.serviceToken,
  ];
  return [
    ...new Set(
      values.filter((value) => typeof value === "string" && value.length >= MIN_MASKED_LENGTH),
    ),
  ];
}

export function buildContextMessage(
  spec: JobRunSpec,
  extra: {
    nonce: string;
    env: Record<string, string>;
    keepAlive: boolean;
    /** What to import (see prepared-code.ts). */
    code: { source: string; type: JobContextMessage["codeType"] };
    /** The process holds this code already (it ran it last): it is not sent again. */
    codeKept: boolean;
    debug?: boolean;
  },
): JobContextMessage {
  return {
    nonce: extra.nonce,
    code: extra.codeKept ? undefined : extra.code.source,
    codeType: extra.code.type,
    jobId: spec.jobId,
    jobName: spec.jobName,
    namespace: spec.namespace,
    retryCount: spec.retryCount ?? 0,
    payload: spec.payload ?? {},
    user: spec.user,
    serverUrl: spec.serverUrl,
    userToken: spec.userToken,
    serviceToken: spec.serviceToken,
    env: extra.env,
    secrets: { user: { ...spec.secrets.user }, system: { ...spec.secrets.system } },
    maskValues: secretValues(spec),
    keepAlive: extra.keepAlive,
    ...(extra.debug ? { debug: true } : {}),
  };
}

export function cancelCommand(): string {
  const command: ControlCommand = { type: "cancel" };
  return JSON.stringify(command);
}
