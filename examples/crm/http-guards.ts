import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/** The largest request body the CRM reads (tRPC inputs are small JSON). */
export const CRM_BODY_LIMIT_BYTES = 100_000;

/** The id the audit log's request middleware gave this request (x-request-id), else a new one. */
export function requestIdOf(res: Response): string {
  const given = res.getHeader('x-request-id');
  if (typeof given === 'string' && given) return given;
  const made = randomUUID();
  if (!res.headersSent) res.setHeader('x-request-id', made);
  return made;
}

/** Every error answer of the CRM outside tRPC: JSON, the request id, never a stack or a driver's message. */
export function sendJsonError(res: Response, status: number, message = STATUS_CODES[status] ?? 'Error'): void {
  res.status(status).json({ error: message, requestId: requestIdOf(res) });
}

/** How long a refused upload's connection stays half-open after the answer, so the client can read it. */
const LINGER_MS = 1_000;

/**
 * Refuses a declared oversized body before anything reads it. Bodies without a length (chunked)
 * are cut at the limit by tRPC's `maxBodySize`; no other route reads a body. After a 413 nothing
 * more is read (the sender is held by TCP flow control) and the connection is half-closed, then
 * dropped after LINGER_MS: dropping it at once, while the client is still sending, makes the
 * client's kernel throw the answer away (ECONNRESET, no 413 seen).
 */
export function refuseOversizedBodies(limitBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.once('finish', () => {
      if (res.statusCode === 413 && !req.complete) closeAfterAnswer(req);
    });
    const declared = Number(req.get('content-length') ?? 0);
    if (!(declared > limitBytes)) return next();
    sendJsonError(res, 413, `Request body over ${limitBytes} bytes`);
  };
}

function closeAfterAnswer(req: Request): void {
  req.socket.end();
  // After node's own 'finish' handler, which resumes the socket (on the next tick) to discard the rest.
  setImmediate(() => req.socket.pause());
  setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
}

/**
 * Cookie-authenticated mutations must come from the CRM's own pages: JSON only (a form cannot send
 * it, and a cross-origin fetch of it needs a CORS preflight the CRM never grants), and an Origin (or,
 * when a browser left it out, a Referer) that is the CRM's own. A request with neither header is
 * not from a browser page (every browser sends Origin on a POST), so API clients and scripts keep
 * working. GET queries and SSE subscriptions change nothing and pass.
 */
export function refuseForeignMutations({ publicOrigin }: { publicOrigin?: string }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const from = callerOriginOf(req);
    if (from !== undefined && from !== (publicOrigin ?? ownOriginOf(req))) return sendJsonError(res, 403, 'Cross-origin request refused');
    const mediaType = req.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') return sendJsonError(res, 415, 'Mutations take application/json');
    next();
  };
}

/** The page's origin as the browser states it; `null` (sandboxed, file://) never matches. */
function callerOriginOf(req: Request): string | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) return origin;
  const referer = req.get('referer');
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** This server as the browser addressed it (behind a trusted proxy, its forwarded protocol). */
function ownOriginOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? ''}`;
}

export function notFoundAsJson(_req: Request, res: Response): void {
  sendJsonError(res, 404);
}

/**
 * Replaces express's default handler, which answers HTML with the stack trace outside production.
 * Client errors (a malformed URL, an aborted body) keep their status; everything else is a 500 whose
 * cause is logged with the request id and never sent.
 */
export function errorsAsJson(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const status = (error as { status?: unknown } | null)?.status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    const requestId = requestIdOf(res);
    if (clientError) logger.info({ err: error, requestId, status }, 'request refused');
    else logger.error({ err: error, requestId }, 'request failed');
    if (res.headersSent) return void res.destroy();
    sendJsonError(res, clientError ? status : 500, clientError ? STATUS_CODES[status] : 'Internal server error');
  };
}
