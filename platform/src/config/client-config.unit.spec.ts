import { ConfigError } from './config';
import { ALLOWED_UPLOAD_TYPES, clientConfigFromEnv, MAX_MESSAGE_LENGTH, MAX_UPLOAD_BYTES } from './client-config';

describe('clientConfigFromEnv', () => {
  it('defaults to the WebSocket on this port, a local STUN server and the PeerJS server on this port', () => {
    expect(clientConfigFromEnv({ PORT: '3000' })).toEqual({
      wsUrl: 'ws://localhost:3000/ws',
      iceServers: [{ urls: 'stun:localhost:3478' }],
      peer: { host: 'localhost', port: 3000, path: '/peerjs' },
      limits: { maxMessageLength: MAX_MESSAGE_LENGTH, maxUploadBytes: MAX_UPLOAD_BYTES, allowedUploadTypes: [...ALLOWED_UPLOAD_TYPES] },
    });
  });

  it('takes the public WebSocket URL, ICE servers and peer server from the environment', () => {
    const iceServers = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'c' }];
    const config = clientConfigFromEnv({
      PUBLIC_WS_URL: 'wss://chat.example.org/ws',
      ICE_SERVERS: JSON.stringify(iceServers),
      PEER_HOST: 'chat.example.org',
      PEER_PORT: '443',
      PEER_PATH: '/calls',
    });
    expect(config).toMatchObject({ wsUrl: 'wss://chat.example.org/ws', iceServers, peer: { host: 'chat.example.org', port: 443, path: '/calls' } });
  });

  it('names each bad variable', () => {
    expect(() => clientConfigFromEnv({ ICE_SERVERS: '[{"url": 1}' })).toThrow(ConfigError);
    expect(() => clientConfigFromEnv({ ICE_SERVERS: '[{"url": 1}' })).toThrow(/ICE_SERVERS: must be JSON/);
    expect(() => clientConfigFromEnv({ ICE_SERVERS: '[{"username": "u"}]' })).toThrow(/ICE_SERVERS\.0\.urls/);
    expect(() => clientConfigFromEnv({ PUBLIC_WS_URL: 'http://x/ws' })).toThrow(/PUBLIC_WS_URL: must start with ws:\/\/ or wss:\/\//);
  });

  it('holds the limits the domain enforces: 4000 code points, 25 MiB', () => {
    expect(MAX_MESSAGE_LENGTH).toBe(4000);
    expect(MAX_UPLOAD_BYTES).toBe(26_214_400);
    expect(ALLOWED_UPLOAD_TYPES).toEqual(expect.arrayContaining(['image/png', 'application/pdf', 'audio/mpeg', 'video/mp4', 'text/plain']));
  });
});
