// The request log: one line per request, when it has been answered (method, URL, status,
// milliseconds; the request id comes from the request's logger). Fastify's own logging
// writes two lines per request, the first serialising the request, on every request at
// the default level (info).
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}
