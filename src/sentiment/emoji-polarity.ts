/**
 * Emoji valences on the AFINN scale (−5…5), written by hand for Herald from the emoji's names and
 * common use in comments. Variation selectors and skin tones are stripped before lookup, so one entry
 * covers 👍, 👍🏻 … 👍🏿. Emoji absent here count as neutral.
 */
const TABLE: Array<[number, string]> = [
  [3, '😀 😃 😄 😁 😆 😊 😍 🥰 😘 😗 😙 😚 🤩 🥳 😎 😻 💖 💗 💓 💞 💕 💘 💝 ❤ 🧡 💛 💚 💙 💜 🤎 🖤 🤍 ♥ ❣ 😇 🤗 👏 🙌 🎉 🎊 🏆 🥇 💯 ✨ 🌟 ⭐ 🔥 💪 👌 🥂 🍾 🌹 💐 🌸 🌺 🌷 ☺ 🫶 😌 🤤'],
  [2, '🙂 😉 😋 😛 😜 😝 🤪 😺 😸 😹 😽 👍 🤝 ✌ 🤞 🙏 ☀ 🌞 🌈 🎁 🎂 🍀 ✅ ✔ 👑 💋 😏 🤠 🥹 💃 🕺 🎶 🎵 🆒 🆗 😂 🤣 😅'],
  [1, '🙃 😬 🤭 😮 😲 😳 🤓 👋 ☕ 🍕 🍻 🍺 🍷 🌻 🐶 🐱'],
  [-1, '😐 😑 😶 🙄 😒 🤔 🤨 😴 😪 🤷 😕 🫤 😯 💤 ⚠'],
  [-2, '🙁 ☹ 😟 😔 😞 😓 😥 😢 😿 😰 😨 😧 😦 😩 😫 🥺 😖 😣 🤒 🤕 🤢 🥴 😷 💔 👎 ❌ 🚫 ⛔ 😱 🙀 💩 😤 🥶 🥵 🤮 🤦 💀 ☠ ⚰ 🥀 😵 🤯'],
  [-3, '😭 😠 😡 🤬 👿 😈 🖕 🤡'],
];

/** Emoji (normalised: no variation selector, no skin tone) → valence. */
export const EMOJI_VALENCE: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const [value, list] of TABLE) for (const e of list.split(' ')) if (e && !map.has(e)) map.set(normaliseEmoji(e), value);
  return map;
})();

/** Strips variation selectors (U+FE0E/FE0F) and skin-tone modifiers so variants share one entry. */
export function normaliseEmoji(emoji: string): string {
  return emoji.replace(/[\uFE0E\uFE0F]|\uD83C[\uDFFB-\uDFFF]/g, '');
}
