// The HTTP side of a WebSocket upgrade: where the credential comes from, and refusing an
// upgrade with a plain HTTP status and a JSON body (before any WebSocket exists).
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `?token=`, else `Authorization: Bearer`, else an `apikey` header; null for none (anon). */
export function upgradeToken(req: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get("token");
  if (query) return query;
  const bearer = /^bearer\s+(.+)$/i.exec(header(req, "authorization")?.trim() ?? "");
  if (bearer?.[1]) return bearer[1].trim();
  return header(req, "apikey")?.trim() || null;
}

export function refuseUpgrade(socket: Duplex, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      "Connection: close\r\n\r\n" +
      text,
  );
}
