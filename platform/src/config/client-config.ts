// What a client needs to know before it starts (`GET /api/config`): where the WebSocket and the
// PeerJS server are, which ICE servers to use for calls, and the limits the server enforces.
import { z } from 'zod';
import { ConfigError } from './config';

/** A message's text may hold at most this many Unicode code points (not UTF-16 units). */
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** Checked against the type detected from the file's content, not the name the client gives. */
export const ALLOWED_UPLOAD_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/mp4',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'text/plain',
] as const;

export type AllowedUploadType = (typeof ALLOWED_UPLOAD_TYPES)[number];

const iceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const clientConfigSchema = z.object({
  wsUrl: z.string(),
  iceServers: z.array(iceServerSchema),
  peer: z.object({ host: z.string(), port: z.number().int(), path: z.string() }),
  limits: z.object({
    maxMessageLength: z.number().int().describe('Unicode code points'),
    maxUploadBytes: z.number().int(),
    allowedUploadTypes: z.array(z.string()),
  }),
});

export type ClientConfig = z.infer<typeof clientConfigSchema>;

const port = z.coerce.number().int().min(1).max(65535);

const iceServersJson = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'must be JSON: an array of { urls, username?, credential? }' });
    return z.NEVER;
  }
});

const environmentSchema = z.object({
  PORT: port.default(8080),
  PUBLIC_WS_URL: z
    .string()
    .trim()
    .refine((value) => /^wss?:\/\//.test(value), { message: 'must start with ws:// or wss://' })
    .optional(),
  ICE_SERVERS: iceServersJson.pipe(z.array(iceServerSchema)).optional(),
  PEER_HOST: z.string().trim().min(1).default('localhost'),
  PEER_PORT: port.optional(),
  PEER_PATH: z.string().trim().startsWith('/').default('/peerjs'),
});

export const DEFAULT_ICE_SERVERS: ClientConfig['iceServers'] = [{ urls: 'stun:localhost:3478' }];

/**
 * The client configuration from the environment: PUBLIC_WS_URL (default `ws://localhost:<PORT>/ws`),
 * ICE_SERVERS (JSON; default a STUN server on localhost:3478), PEER_HOST, PEER_PORT (default PORT)
 * and PEER_PATH. Throws a ConfigError naming each bad variable.
 */
export function clientConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): ClientConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const env = parsed.data;
  return {
    wsUrl: env.PUBLIC_WS_URL ?? `ws://localhost:${env.PORT}/ws`,
    iceServers: env.ICE_SERVERS ?? DEFAULT_ICE_SERVERS,
    peer: { host: env.PEER_HOST, port: env.PEER_PORT ?? env.PORT, path: env.PEER_PATH },
    limits: {
      maxMessageLength: MAX_MESSAGE_LENGTH,
      maxUploadBytes: MAX_UPLOAD_BYTES,
      allowedUploadTypes: [...ALLOWED_UPLOAD_TYPES],
    },
  };
}
