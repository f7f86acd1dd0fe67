// A browser classroom's part in a joint lesson (docs/joint-lesson.md): the room's camera to the
// teacher's wall all lesson long, its microphone only while the teacher has called the class on
// (the browser's own echo cancelling on), a raise-hand button (and the H key, for a remote), and
// the teacher's quick polls (buttons A-D, or the keys A-D). classroom.js calls it; it sends
// through the classroom's signaling connection, like lianxiao-receiver.
"use strict";

// What the room sends the teacher (the sender's recvonly m-lines ask for it; lx-return-media.h).
const RETURN_VIDEO = { width: 320, height: 180, frameRate: 15, maxBitrate: 150000 };

function createJoint(send) {
  const joint = {
    hand: false, // our hand is up (as the server last said)
    calledOn: false, // we have the floor: the microphone goes to the teacher
    poll: null, // the teacher's last poll: { id, text, choices, open }
    answer: null, // our answer to it ("A".."D")
    devices: null, // the room's camera and microphone, once asked for (a MediaStream or null)
    microphone: null, // the RTCRtpSender the microphone goes through, while a session lasts
    active: false, // the lesson is a joint one (the sender asks for the room's picture and voice)
  };
  const $ = (id) => document.getElementById(id);

  // The room's camera and microphone, asked for once (a kiosk browser allows them by policy); a
  // room without them sends nothing and still watches.
  async function roomDevices() {
    if (joint.devices !== null) return joint.devices;
    try {
      joint.devices = await navigator.mediaDevices.getUserMedia({
        video: { width: RETURN_VIDEO.width, height: RETURN_VIDEO.height, frameRate: RETURN_VIDEO.frameRate },
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (error) {
      console.warn("no camera or microphone for the teacher:", error.name);
      joint.devices = false;
    }
    return joint.devices;
  }

  // The m-lines the sender receives on (recvonly in its offer): { mid, kind } each.
  function returnLines(sdp) {
    return sdp.split(/\r?\nm=/).slice(1).map((section) => ({
      kind: section.split(" ")[0],
      mid: section.match(/\r?\na=mid:(\S+)/)?.[1],
      recvonly: /\r?\na=recvonly/.test(section),
    })).filter((line) => line.recvonly && line.mid);
  }

  // After the sender's offer is set, before the answer: the camera and the microphone on the
  // transceivers of those m-lines (the microphone's track only while called on).
  joint.attach = async (pc, sdp) => {
    joint.microphone = null;
    const lines = returnLines(sdp);
    joint.active = lines.length > 0;
    show();
    if (!joint.active) return;
    const devices = await roomDevices();
    for (const line of lines) {
      const transceiver = pc.getTransceivers().find((t) => t.mid === line.mid);
      const track = devices ? devices.getTracks().find((t) => t.kind === line.kind) : null;
      if (!transceiver || !track) continue; // (answered inactive)
      transceiver.direction = "sendonly";
      if (line.kind === "video") {
        await transceiver.sender.replaceTrack(track);
        const parameters = transceiver.sender.getParameters();
        if (parameters.encodings?.length) {
          parameters.encodings[0].maxBitrate = RETURN_VIDEO.maxBitrate;
          transceiver.sender.setParameters(parameters).catch(() => {});
        }
      } else {
        joint.microphone = transceiver.sender;
        await openMicrophone();
      }
    }
  };

  async function openMicrophone() {
    const track = joint.devices ? joint.devices.getAudioTracks()[0] : null;
    if (joint.microphone && track)
      await joint.microphone.replaceTrack(joint.calledOn ? track : null).catch(() => {});
  }

  function show() {
    $("joint").hidden = !joint.active;
    const hand = $("hand");
    hand.hidden = joint.calledOn;
    hand.textContent = joint.hand ? "放下手 · Lower hand" : "举手 · Raise hand";
    hand.classList.toggle("up", joint.hand);
    $("on-the-floor").hidden = !joint.calledOn;
    const poll = joint.poll;
    $("poll").hidden = !poll?.open;
    if (poll?.open) {
      $("poll-question").textContent = poll.text;
      for (const letter of ["A", "B", "C", "D"]) {
        const button = $(`poll-${letter}`);
        button.hidden = letter.charCodeAt(0) - 65 >= poll.choices;
        button.classList.toggle("chosen", joint.answer === letter);
      }
    }
  }

  joint.toggleHand = () => {
    if (joint.calledOn) return; // the teacher hangs up
    send({ type: joint.hand ? "lower-hand" : "raise-hand" });
  };

  joint.answerPoll = (letter) => {
    const choice = letter.charCodeAt(0) - 65;
    if (!joint.poll?.open || choice < 0 || choice >= joint.poll.choices) return;
    send({ type: "poll-answer", poll_id: joint.poll.id, choice });
    joint.answer = letter;
    show();
  };

  joint.onFloor = (message) => {
    joint.hand = message.hands.includes(joint.school);
    joint.calledOn = message.speaking.includes(joint.school);
    openMicrophone();
    show();
  };

  joint.onPoll = (message) => {
    if (joint.poll?.id !== message.poll_id) joint.answer = null;
    joint.poll = { id: message.poll_id, text: message.text, choices: message.choices, open: message.open };
    show();
  };

  // A new lesson or connection: nobody's hand is up until the server says so.
  joint.reset = () => {
    joint.active = false;
    joint.hand = false;
    joint.calledOn = false;
    joint.poll = null;
    openMicrophone();
    show();
  };

  $("hand").onclick = joint.toggleHand;
  for (const letter of ["A", "B", "C", "D"]) $(`poll-${letter}`).onclick = () => joint.answerPoll(letter);
  document.addEventListener("keydown", (event) => {
    const key = event.key.toUpperCase();
    if (key === "H") joint.toggleHand();
    else if (["A", "B", "C", "D"].includes(key)) joint.answerPoll(key);
  });
  return joint;
}
