// A WHEP player on werift (an independent WebRTC stack), making its offer in one of the shapes other
// players send, for the end-to-end offer-shape test: it POSTs the offer, applies the answer, writes
// the H.264 it receives as an Annex B file (the test decodes it with GStreamer) and counts the
// audio, then ends the session with DELETE.
//
//   node whep-player.mjs --url URL --token T --shape SHAPE --seconds S --out PREFIX
//   writes PREFIX.h264 and PREFIX.json ({"status", "video_packets", "audio_packets", ...})
//   --shape list   prints the shapes
import fs from 'node:fs';
import './loopback-only.mjs';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';


const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean)
  .map((pair) => pair.trim().split(/\s+/)));

const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];
const h264 = (parameters, rtcpFeedback = feedback) => new RTCRtpCodecParameters({
  mimeType: 'video/H264', clockRate: 90000, rtcpFeedback, parameters });
const rtx = () => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 });
const vp8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: feedback });
const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2,
  parameters: 'minptime=10;useinbandfec=1' });
const audio = (mimeType, clockRate, payloadType) => new RTCRtpCodecParameters({
  mimeType, clockRate, payloadType, channels: 1 });
const chromiumH264 = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

// Each shape: the peer connection's configuration, the order of its m-lines, and what the offer's
// text gets on its way (what other stacks write that werift does not).
const shapes = {
  // BUNDLE with each m-line on its own ICE transport until the answer: each bundled m-line has
  // its own ice-ufrag/ice-pwd and candidates (RFC 8843 allows it; webrtcbin 1.22 refuses it as
  // it comes). werift (max-compat) is bundle-aware but writes one ufrag: the later m-lines get
  // credentials of their own, as stacks with a transport per m-line write them.
  'bundle-per-mline-credentials': {
    config: {}, kinds: ['video', 'audio'],
    edit: (sdp) => sdp.split(/(?=^m=)/m).map((section, index) => index < 2 ? section : section
      .replace(/^a=ice-ufrag:.*$/m, `a=ice-ufrag:m${index}u${Date.now() % 10000}`)
      .replace(/^a=ice-pwd:.*$/m, `a=ice-pwd:mline${index}password0123456789`)
      .replace(/ ufrag \S+/g, ` ufrag m${index}`)).join(''),
  },
  // No BUNDLE group at all: one transport per m-line.
  'no-bundle': { config: { bundlePolicy: 'disable' }, kinds: ['video', 'audio'] },
  // Audio first, with PCMU/PCMA/G722/telephone-event beside Opus and no rtcp-fb on audio.
  'audio-first-legacy-codecs': {
    config: { bundlePolicy: 'max-bundle' }, kinds: ['audio', 'video'],
    codecs: { audio: [opus(), audio('audio/G722', 8000, 9), audio('audio/PCMU', 8000, 0),
      audio('audio/PCMA', 8000, 8), new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event',
        clockRate: 8000, payloadType: 101, parameters: '0-16' })] },
  },
  // H.264 as libwebrtc lists it: 42001f first, mode 0 and mode 1, level-asymmetry-allowed absent
  // on one, RTX per codec; header extensions the sender does not know.
  'h264-profiles-rtx-extmap': {
    config: { bundlePolicy: 'max-bundle' }, kinds: ['video', 'audio'],
    codecs: { video: [h264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'), rtx(),
      h264('level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'), rtx(),
      h264('packetization-mode=1;profile-level-id=42e01f'), rtx()] },
    edit: (sdp) => sdp.replace(/(a=mid:[^\r\n]*\r\n)/g, '$1' +
      'a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n' +
      'a=extmap:13 urn:3gpp:video-orientation\r\n' +
      'a=extmap:14 http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00\r\n'),
  },
  // VP8 listed before H.264, RTX for each.
  'vp8-before-h264': {
    config: { bundlePolicy: 'max-bundle' }, kinds: ['video', 'audio'],
    codecs: { video: [vp8(), rtx(), h264(chromiumH264), rtx()] },
  },
  // The placeholder address in c= and port 9 (RFC 8839), candidates only in the SDP, and beside
  // the usable one an mDNS name and an IPv6 address that lead nowhere here.
  'placeholders-mdns-ipv6': {
    config: { bundlePolicy: 'max-bundle' }, kinds: ['video', 'audio'],
    edit: (sdp) => sdp
      .replace(/^c=IN IP4 .*$/gm, 'c=IN IP4 0.0.0.0')
      .replace(/^(a=candidate:[^\r\n]*)\r\n/m, '$1\r\n' +
        'a=candidate:1840965416 1 udp 2122260223 6e2b0c4d-1f3a-4b5c-9d8e-7f6a5b4c3d2e.local 50999 typ host\r\n' +
        'a=candidate:2999745851 1 udp 2122197247 2001:db8::7 50998 typ host\r\n'),
  },
  // Candidates trickled after the answer: the offer carries none, a PATCH
  // (application/trickle-ice-sdpfrag, If-Match: the session's ETag) brings them; a second PATCH,
  // with new credentials, restarts ICE while the media goes on.
  'trickle-through-patch': {
    config: { bundlePolicy: 'max-bundle' }, kinds: ['video', 'audio'], trickle: true,
    edit: (sdp) => sdp.replace(/^a=(candidate:|end-of-candidates).*\r\n/gm, ''),
  },
};

// The sdpfrag of RFC 8840 for @sdp's ICE credentials and first m-line's candidates.
function sdpfrag(sdp, ufrag, pwd) {
  const mid = sdp.match(/^a=mid:(.*)$/m)[1].trim();
  const candidates = sdp.match(/^a=candidate:.*$/gm).map((line) => line.trim());
  return [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, 'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${mid}`,
    ...candidates, 'a=end-of-candidates', ''].join('\r\n');
}

async function patch(url, etag, body) {
  return fetch(url, { method: 'PATCH', body, headers: {
    'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': etag,
    Authorization: `Bearer ${args.token}` } });
}

const credentials = (sdp) => ({ ufrag: sdp.match(/^a=ice-ufrag:(.*)$/m)[1].trim(),
  pwd: sdp.match(/^a=ice-pwd:(.*)$/m)[1].trim() });

async function gathered() {
  if (pc.iceGatheringState !== 'complete')
    await new Promise((done) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done()));
}

// Restarts ICE through PATCH (RFC 9725 §4.3.2): new credentials and candidates out, the server's
// new ones back in an sdpfrag, put into the answer we hold.
async function restartIce(location, etag, answer) {
  pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered();
  const local = pc.localDescription.sdp;
  const { ufrag, pwd } = credentials(local);
  const response = await patch(location, etag, sdpfrag(local, ufrag, pwd));
  result.restart_status = response.status;
  if (response.status !== 200) return;
  const frag = await response.text();
  const theirs = credentials(frag);
  result.restart_changed_ufrag = theirs.ufrag !== credentials(answer).ufrag;
  const candidates = frag.match(/^a=candidate:.*$/gm).map((line) => line.trim());
  const renewed = answer
    .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${theirs.ufrag}`)
    .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${theirs.pwd}`)
    .replace(/^a=candidate:.*\r\n/gm, '')
    .replace(/^(a=mid:[^\r\n]*\r\n)/m, `$1${candidates.join('\r\n')}\r\n`);
  await pc.setRemoteDescription({ type: 'answer', sdp: renewed });
  result.video_packets_before_restart = result.video_packets;
}

if (args.shape === 'list') {
  console.log(Object.keys(shapes).join('\n'));
  process.exit(0);
}
const shape = shapes[args.shape];
if (!shape) {
  console.error(`unknown shape ${args.shape}; --shape list`);
  process.exit(2);
}

const codecs = { video: [h264(chromiumH264), rtx()], audio: [opus()], ...(shape.codecs ?? {}) };
const pc = new RTCPeerConnection({ ...shape.config, codecs, iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: '127.0.0.1' } });
const result = { shape: args.shape, status: 0, video_packets: 0, audio_packets: 0, frames: 0,
  connection: 'new', error: null };
const out = fs.createWriteStream(`${args.out}.h264`);
const startCode = Buffer.from([0, 0, 0, 1]);
let fragments = null;

// RFC 6184 depacketizing into Annex B: single NAL units, STAP-A, FU-A.
function writeH264(payload) {
  const type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) {
    out.write(Buffer.concat([startCode, payload]));
  } else if (type === 24) {
    for (let at = 1; at + 2 <= payload.length;) {
      const size = payload.readUInt16BE(at);
      out.write(Buffer.concat([startCode, payload.subarray(at + 2, at + 2 + size)]));
      at += 2 + size;
    }
  } else if (type === 28) {
    const start = payload[1] & 0x80, end = payload[1] & 0x40;
    if (start) fragments = [Buffer.from([(payload[0] & 0xe0) | (payload[1] & 0x1f)])];
    if (fragments) fragments.push(payload.subarray(2));
    if (end && fragments) {
      out.write(Buffer.concat([startCode, ...fragments]));
      fragments = null;
    }
  }
}

function finish(status) {
  result.status = status;
  out.end(() => {
    fs.writeFileSync(`${args.out}.json`, JSON.stringify(result));
    process.exit(0);
  });
}

for (const kind of shape.kinds) pc.addTransceiver(kind, { direction: 'recvonly' });
pc.onTrack.subscribe((track) => {
  track.onReceiveRtp.subscribe((rtp) => {
    if (track.kind === 'audio') {
      result.audio_packets++;
      return;
    }
    result.video_packets++;
    if (track.codec?.mimeType?.toLowerCase() === 'video/h264') writeH264(rtp.payload);
    if (rtp.header.marker) result.frames++;
  });
});
pc.connectionStateChange.subscribe((state) => { result.connection = state; });

try {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered();
  const offer = (shape.edit ?? ((sdp) => sdp))(pc.localDescription.sdp);
  fs.writeFileSync(`${args.out}.offer.sdp`, offer);
  const started = Date.now();
  const response = await fetch(args.url, { method: 'POST', body: offer, headers: {
    'Content-Type': 'application/sdp', Authorization: `Bearer ${args.token}` } });
  result.answer_ms = Date.now() - started;
  const body = await response.text();
  if (response.status !== 201) {
    result.error = body;
    finish(response.status);
  } else {
    fs.writeFileSync(`${args.out}.answer.sdp`, body);
    result.links = response.headers.get('link');
    const location = new URL(response.headers.get('location'), args.url);
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    if (shape.trickle) {
      const local = pc.localDescription.sdp;
      const { ufrag, pwd } = credentials(local);
      const etag = response.headers.get('etag');
      result.patch_status = (await patch(location, etag, sdpfrag(local, ufrag, pwd))).status;
      setTimeout(() => restartIce(location, etag, body).catch((error) => {
        result.error = String(error.stack);
      }), 1000);
    }
    setTimeout(async () => {
      await fetch(location, { method: 'DELETE', headers: { Authorization: `Bearer ${args.token}` } })
        .catch(() => {});
      pc.close();
      finish(201);
    }, Number(args.seconds ?? 4) * 1000);
  }
} catch (error) {
  result.error = String(error.stack);
  finish(-1);
}
