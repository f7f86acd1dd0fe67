// A WHIP/WHEP media server for the end-to-end tests, in the shape of the ones cities run (an SFU):
// a publisher POSTs its offer to /whip/STREAM, players POST theirs to /whep/STREAM, and the
// publisher's RTP is forwarded, not decoded, to every player. Written against RFC 9725 and the
// WHEP draft with werift (an independent WebRTC stack), sharing no code with Lianxiao.
//
//   node relay.mjs --token SECRET [--port 0]     prints "listening PORT" once ready
//   GET /stats → {"publishers": N, "playable": N (publishers whose video arrives), "players": N,
//                 "forwarded": {"video": packets, "audio": packets}}
//   RELAY_DEBUG=1 in the environment logs each publisher's offer and answer.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import './loopback-only.mjs';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';


const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean)
  .map((pair) => pair.trim().split(/\s+/)));
const token = args.token;
const port = Number(args.port ?? 0);

const codecs = {
  video: [new RTCRtpCodecParameters({
    mimeType: 'video/H264', clockRate: 90000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  })],
  audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
};
const peerConfig = { codecs, iceUseIpv6: false, iceInterfaceAddresses: { udp4: '127.0.0.1' } };

// A bundled m-line may come with port 0 and a=bundle-only (RFC 8843, as webrtcbin offers with
// max-bundle); werift reads port 0 as a rejected m-line, so it is given the usual 9.
const acceptBundleOnly = (sdp) => sdp.replace(/^m=(audio|video) 0 /gm, 'm=$1 9 ');

const streams = new Map();   // stream → { pc, tracks: {video, audio}, players: Set }
const sessions = new Map();  // session path → { close() }
const forwarded = { video: 0, audio: 0 };

function log(...words) { console.error('media-server:', ...words); }

async function answerWithEveryCandidate(pc, offer) {
  await pc.setRemoteDescription({ type: 'offer', sdp: acceptBundleOnly(offer) });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete')
    await new Promise((done) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done()));
  return pc.localDescription.sdp;
}

function askKeyframe(stream) {
  const video = stream?.tracks.video;
  if (video) stream.videoReceiver.sendRtcpPLI(video.ssrc).catch(() => {});
}

// A strict media server reads H.264 without fmtp as RFC 6184's default (single-NAL mode, level 1.0)
// and refuses what it cannot take: so does this one.
function incompleteH264(offer) {
  const payloads = [...offer.matchAll(/^a=rtpmap:(\d+) H264\/90000/gim)].map((m) => m[1]);
  return payloads.some((pt) => {
    const fmtp = offer.match(new RegExp(`^a=fmtp:${pt} (.*)$`, 'm'))?.[1] ?? '';
    return !/packetization-mode=1/.test(fmtp) || !/profile-level-id=[0-9a-f]{6}/i.test(fmtp);
  });
}

async function publish(name, offer) {
  if (incompleteH264(offer)) {
    const error = new Error('H.264 without packetization-mode=1 and a profile-level-id: '
      + 'single-NAL mode at level 1.0 (RFC 6184) is not enough');
    error.status = 400;
    throw error;
  }
  const pc = new RTCPeerConnection(peerConfig);
  const stream = { pc, tracks: {}, players: new Set(), videoReceiver: null };
  pc.onTrack.subscribe((track) => {
    stream.tracks[track.kind] = track;
    if (track.kind === 'video')
      stream.videoReceiver = pc.getTransceivers().find((t) => t.kind === 'video').receiver;
    track.onReceiveRtp.subscribe(() => { forwarded[track.kind] += stream.players.size; });
    log(`${name}: receiving ${track.kind}`);
  });
  pc.connectionStateChange.subscribe((state) => log(`${name}: publisher ${state}`));
  const answer = await answerWithEveryCandidate(pc, offer);
  if (process.env.RELAY_DEBUG) log(`offer:\n${offer}\nanswer:\n${answer}`);
  streams.get(name)?.close();
  stream.close = () => { pc.close(); if (streams.get(name) === stream) streams.delete(name); };
  streams.set(name, stream);
  return { answer, close: stream.close };
}

async function play(name, offer) {
  const stream = streams.get(name);
  const pc = new RTCPeerConnection(peerConfig);
  await pc.setRemoteDescription({ type: 'offer', sdp: acceptBundleOnly(offer) });
  for (const transceiver of pc.getTransceivers()) {
    const track = stream.tracks[transceiver.kind];
    transceiver.setDirection('sendonly');
    if (track) await transceiver.sender.replaceTrack(track);
  }
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete')
    await new Promise((done) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done()));
  const player = { pc };
  stream.players.add(player);
  pc.connectionStateChange.subscribe((state) => {
    log(`${name}: player ${state}`);
    // A player can decode nothing before a keyframe: ask the publisher for one.
    if (state === 'connected') { askKeyframe(stream); setTimeout(() => askKeyframe(stream), 500); }
  });
  return {
    answer: pc.localDescription.sdp,
    close: () => { stream.players.delete(player); pc.close(); },
  };
}

function reply(response, status, headers = {}, body = '') {
  response.writeHead(status, { 'Access-Control-Allow-Origin': '*', ...headers });
  response.end(body);
}

const server = http.createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString();
  const [, kind, name, session] = request.url.split('/');
  try {
    if (request.method === 'GET' && kind === 'stats') {
      const players = [...streams.values()].reduce((n, s) => n + s.players.size, 0);
      return reply(response, 200, { 'Content-Type': 'application/json' },
        JSON.stringify({ publishers: streams.size, players, forwarded,
          playable: [...streams.values()].filter((s) => s.tracks.video).length }));
    }
    if (kind !== 'whip' && kind !== 'whep') return reply(response, 404);
    if (request.headers.authorization !== `Bearer ${token}`) return reply(response, 401, {}, 'bad token');
    if (request.method === 'DELETE') {
      const path = request.url;
      if (!sessions.has(path)) return reply(response, 404);
      sessions.get(path).close();
      sessions.delete(path);
      log(`${path} ended`);
      return reply(response, 200);
    }
    if (request.method !== 'POST' || session) return reply(response, 405);
    if (request.headers['content-type'] !== 'application/sdp') return reply(response, 415);
    if (kind === 'whep' && !streams.get(name)?.tracks.video) return reply(response, 404, {}, 'no such stream yet');
    const opened = kind === 'whip' ? await publish(name, body) : await play(name, body);
    const path = `/${kind}/${name}/${randomUUID()}`;
    sessions.set(path, opened);
    log(`${path} opened`);
    reply(response, 201, { 'Content-Type': 'application/sdp', Location: path }, opened.answer);
  } catch (error) {
    log('error:', error.stack);
    reply(response, error.status ?? 400, {}, String(error.message));
  }
});

server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => { for (const s of streams.values()) s.close(); process.exit(0); });
