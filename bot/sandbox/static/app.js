// The web sandbox page: phone-like panes, each one person chatting with the bot through the Bot API emulator.
// Plain browser JavaScript, no build step. Every piece of text from the bot is put on the page with
// textContent / createElement only (never parsed as HTML), from the emulator's plain text and entities.
"use strict";

(() => {
  const TEXT = JSON.parse(document.getElementById("ui-text").textContent);
  const STORE_KEY = "hamkke.sandbox.phones.v1";
  const phonesEl = document.getElementById("phones");
  const phoneTemplate = document.getElementById("phone-template");
  const messageTemplate = document.getElementById("message-template");
  const offlineBanner = document.getElementById("offline");

  /** @type {{user_id:number,name:string,kind:string,title:string|null}[]} */
  let personas = [];
  /** @type {Phone[]} */
  const phones = [];
  let botName = "함께";

  // ------------------------------------------------------------------------------------------ helpers

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      const error = new Error(`${method} ${path}: ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (_error) {
      return null;
    }
  }

  function fileSize(bytes) {
    if (bytes === null || bytes === undefined) return "";
    if (bytes < 1024) return `${bytes} ${TEXT.bytes}`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} ${TEXT.kb}`;
    return `${(bytes / 1024 / 1024).toFixed(1)} ${TEXT.mb}`;
  }

  // Telegram entities (offsets in UTF-16 code units, which is what JavaScript strings count) to safe DOM.
  function renderEntities(text, entities) {
    const fragment = document.createDocumentFragment();
    const list = (entities || [])
      .filter((e) => e && Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
      .map((e) => ({ ...e, end: e.offset + e.length }))
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(fragment, text || "", 0, (text || "").length, list);
    return fragment;
  }

  function build(parent, text, start, end, list) {
    let pos = start;
    let i = 0;
    while (i < list.length) {
      const entity = list[i];
      if (entity.offset < pos) { i += 1; continue; } // overlaps the previous one: shown as plain text
      if (entity.offset >= end) break;
      if (entity.offset > pos) parent.appendChild(document.createTextNode(text.slice(pos, entity.offset)));
      const stop = Math.min(entity.end, end);
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < stop) { inner.push(list[j]); j += 1; }
      const node = elementFor(entity, text.slice(entity.offset, stop));
      build(node, text, entity.offset, stop, inner);
      parent.appendChild(node);
      pos = stop;
      i = j;
    }
    if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
  }

  function elementFor(entity, covered) {
    switch (entity.type) {
      case "bold": return el("b");
      case "italic": return el("i");
      case "underline": return el("u");
      case "strikethrough": return el("s");
      case "code": return el("code");
      case "pre": return el("pre");
      case "blockquote":
      case "expandable_blockquote": return el("blockquote");
      case "spoiler": {
        const node = el("span", "spoiler");
        node.addEventListener("click", () => node.classList.add("shown"));
        return node;
      }
      case "text_link":
      case "url": {
        const href = safeUrl(entity.type === "url" ? covered : entity.url);
        if (!href) return el("span");
        const link = el("a");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        return link;
      }
      default: return el("span");
    }
  }

  function personaLabel(p) {
    return p.title ? `${p.name} · ${p.title}` : p.name;
  }

  function savePhones() {
    const state = phones.map((p) => p.persona).filter(Boolean);
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (_error) { /* private browsing: nothing to keep */ }
  }

  function savedPhones() {
    try {
      const raw = JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
      return Array.isArray(raw) ? raw.filter((p) => p && Number.isSafeInteger(p.user_id)) : [];
    } catch (_error) {
      return [];
    }
  }

  // ------------------------------------------------------------------------------------------ a phone

  class Phone {
    constructor() {
      this.root = phoneTemplate.content.firstElementChild.cloneNode(true);
      this.persona = null;
      this.keyboardMarkup = null;
      this.keyboardHidden = false;
      this.toastTimer = 0;
      this.typingTimer = 0;
      const q = (selector) => this.root.querySelector(selector);
      this.select = q(".persona");
      this.list = q(".messages");
      this.empty = q(".empty");
      this.input = q(".text");
      this.keyboard = q(".keyboard");
      this.keyboardToggle = q(".keyboard-toggle");
      this.inviteForm = q(".invite");
      this.toastEl = q(".toast");
      this.alertEl = q(".alert");
      this.typingEl = q(".typing");
      this.placeholder = this.input.placeholder;
      q(".bot-name").textContent = botName;
      this.fillPersonas();

      this.select.addEventListener("change", () => this.choose(this.select.value));
      q(".close").addEventListener("click", () => this.close());
      q(".start").addEventListener("click", () => this.send("/start"));
      q(".composer").addEventListener("submit", (event) => {
        event.preventDefault();
        const text = this.input.value;
        if (text.trim()) this.send(text).then((ok) => { if (ok) this.input.value = ""; });
      });
      this.keyboardToggle.addEventListener("click", () => {
        this.keyboardHidden = !this.keyboardHidden;
        this.renderKeyboard();
      });
      this.inviteForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const raw = q(".invite-code").value.trim();
        const match = raw.match(/start=([A-Za-z0-9_-]+)/);
        const code = match ? match[1] : raw.replace(/^\/start\s+/, "");
        if (!code) { this.toast(TEXT.needCode); return; }
        this.send(`/start ${code}`);
      });
      q(".make-invite-button").addEventListener("click", () => this.makeInvite());
      q(".alert-ok").addEventListener("click", () => { this.alertEl.hidden = true; });
      phonesEl.appendChild(this.root);
    }

    fillPersonas() {
      for (const group of this.select.querySelectorAll("optgroup[data-kind]")) {
        group.replaceChildren();
        for (const p of personas.filter((x) => x.kind === group.dataset.kind)) {
          const option = el("option", null, personaLabel(p));
          option.value = String(p.user_id);
          group.appendChild(option);
        }
      }
      if (this.persona && this.persona.kind === "new") {
        const known = personas.find((p) => p.user_id === this.persona.user_id);
        if (known) { this.persona = { ...known }; savePhones(); }
      }
      this.showPersona();
    }

    showPersona() {
      const p = this.persona;
      if (!p) { this.select.value = ""; return; }
      if (p.kind === "new") {
        let option = this.select.querySelector(`option[value="${p.user_id}"]`);
        if (!option) {
          option = el("option", null, `${TEXT.newcomer} (${p.user_id})`);
          option.value = String(p.user_id);
          this.select.querySelector('option[value="new"]').before(option);
        }
      }
      this.select.value = String(p.user_id);
      this.root.dataset.userId = String(p.user_id);
      this.root.dataset.kind = p.kind;
      this.inviteForm.hidden = p.kind !== "new";
    }

    async choose(value) {
      if (value === "new") {
        try {
          const { user_id: userId } = await api("POST", "/api/newcomer");
          this.setPersona({ user_id: userId, name: TEXT.newcomer, kind: "new", title: null });
        } catch (_error) {
          this.toast(TEXT.sendFailed);
          this.showPersona();
        }
        return;
      }
      const found = personas.find((p) => String(p.user_id) === value);
      if (found) this.setPersona({ ...found });
    }

    setPersona(persona) {
      this.persona = persona;
      this.keyboardMarkup = null;
      this.list.replaceChildren();
      this.showPersona();
      savePhones();
      this.load();
    }

    get userId() { return this.persona ? this.persona.user_id : null; }

    async load() {
      if (!this.persona) return;
      const userId = this.userId;
      try {
        const chat = await api("GET", `/api/chats/${userId}`);
        if (userId !== this.userId) return; // the persona changed meanwhile
        const keep = new Set(chat.messages.map((m) => m.message_id));
        for (const item of [...this.list.children]) {
          if (!keep.has(Number(item.dataset.messageId))) item.remove();
        }
        for (const message of chat.messages) this.upsert(message, false);
        this.setKeyboard(chat.keyboard);
        this.scrollDown(true);
      } catch (_error) {
        this.toast(TEXT.chatFailed);
      }
      this.updateEmpty();
    }

    close() {
      const index = phones.indexOf(this);
      if (index >= 0) phones.splice(index, 1);
      this.root.remove();
      savePhones();
    }

    updateEmpty() {
      this.empty.hidden = this.list.children.length > 0 || !this.persona;
    }

    nearBottom() {
      return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    }

    scrollDown(force) {
      if (force || this.nearBottom()) this.list.scrollTop = this.list.scrollHeight;
    }

    async send(text) {
      if (!this.persona) return false;
      try {
        const result = await api("POST", `/api/chats/${this.userId}/text`, {
          text,
          first_name: this.persona.name.slice(0, 64),
        });
        this.upsert(result.message, true);
        if (this.keyboardMarkup && this.keyboardMarkup.one_time_keyboard) {
          this.keyboardHidden = true;
          this.renderKeyboard();
        }
        return true;
      } catch (_error) {
        this.toast(TEXT.sendFailed);
        return false;
      }
    }

    async press(messageId, data) {
      try {
        await api("POST", `/api/chats/${this.userId}/press`, { message_id: messageId, data });
      } catch (error) {
        this.toast(error.status === 404 ? TEXT.buttonGone : TEXT.sendFailed);
      }
    }

    async makeInvite() {
      const name = this.root.querySelector(".invite-name").value.trim();
      const role = this.root.querySelector(".invite-role").value;
      if (!name) { this.toast(TEXT.needName); return; }
      try {
        const invite = await api("POST", "/api/invites", { name, role });
        this.root.querySelector(".invite-code").value = invite.code;
        this.toast(TEXT.inviteMade.replace("{code}", invite.code));
      } catch (_error) {
        this.toast(TEXT.inviteFailed);
      }
    }

    // A message arrived, changed or was loaded: put it in its place (ordered by message id).
    upsert(message, scroll) {
      if (message.deleted) { this.remove(message.message_id); return; }
      const existing = this.list.querySelector(`li[data-message-id="${message.message_id}"]`);
      if (existing && Number(existing.dataset.editCount) > (message.edit_count || 0)) return; // stale copy
      const item = this.renderMessage(message);
      if (existing) {
        existing.replaceWith(item);
      } else {
        const later = [...this.list.children].find((li) => Number(li.dataset.messageId) > message.message_id);
        const wasNear = this.nearBottom();
        this.list.insertBefore(item, later || null);
        if (scroll || wasNear) this.scrollDown(true);
      }
      this.updateEmpty();
    }

    remove(messageId) {
      const existing = this.list.querySelector(`li[data-message-id="${messageId}"]`);
      if (existing) existing.remove();
      this.updateEmpty();
    }

    renderMessage(message) {
      const item = messageTemplate.content.firstElementChild.cloneNode(true);
      item.classList.add(message.from === "bot" ? "from-bot" : "from-user");
      item.dataset.messageId = String(message.message_id);
      item.dataset.editCount = String(message.edit_count || 0);
      const body = item.querySelector(".body");
      if (message.kind === "photo" || message.kind === "document") {
        body.appendChild(this.renderFile(message));
        if (message.plain_caption) {
          const caption = el("div", "caption");
          caption.appendChild(renderEntities(message.plain_caption, message.entities));
          body.appendChild(caption);
        }
      } else {
        body.appendChild(renderEntities(message.plain_text, message.entities));
      }
      if (message.edited) item.querySelector(".edited").hidden = false;
      const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
      if (rows.length) item.appendChild(this.renderInline(message.message_id, rows));
      return item;
    }

    renderFile(message) {
      const href = message.file_url;
      const link = el("a", `file ${message.kind}`);
      if (href) link.href = href;
      link.target = "_blank";
      link.rel = "noopener";
      if (message.kind === "photo") {
        const image = el("img");
        image.src = href;
        image.alt = message.file_name || TEXT.photo;
        image.loading = "lazy";
        link.appendChild(image);
      } else {
        link.appendChild(el("span", "file-icon", "📄"));
        const name = el("span", "file-name", message.file_name || TEXT.document);
        link.appendChild(name);
        link.appendChild(el("span", "file-size", fileSize(message.file_size)));
        if (message.file_name) link.download = message.file_name;
      }
      return link;
    }

    renderInline(messageId, rows) {
      const box = el("div", "inline-keyboard");
      for (const row of rows) {
        const line = el("div", "inline-row");
        for (const button of row) {
          if (!button || typeof button.text !== "string") continue;
          if (typeof button.callback_data === "string") {
            const tap = el("button", "inline-button", button.text);
            tap.type = "button";
            tap.addEventListener("click", () => this.press(messageId, button.callback_data));
            line.appendChild(tap);
          } else if (typeof button.url === "string" && safeUrl(button.url)) {
            const link = el("a", "inline-button link", `${button.text} ↗`);
            link.href = safeUrl(button.url);
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            line.appendChild(link);
          } else {
            const inert = el("span", "inline-button inert", button.text);
            line.appendChild(inert);
          }
        }
        box.appendChild(line);
      }
      return box;
    }

    setKeyboard(markup) {
      const changed = JSON.stringify(markup) !== JSON.stringify(this.keyboardMarkup);
      this.keyboardMarkup = markup && Array.isArray(markup.keyboard) ? markup : null;
      if (changed) this.keyboardHidden = false;
      this.input.placeholder = (this.keyboardMarkup && this.keyboardMarkup.input_field_placeholder)
        || this.placeholder;
      this.renderKeyboard();
    }

    renderKeyboard() {
      this.keyboard.replaceChildren();
      const markup = this.keyboardMarkup;
      this.keyboardToggle.hidden = !markup;
      this.keyboard.hidden = !markup || this.keyboardHidden;
      if (!markup) return;
      for (const row of markup.keyboard) {
        if (!Array.isArray(row)) continue;
        const line = el("div", "keyboard-row");
        for (const button of row) {
          const label = typeof button === "string" ? button : button && button.text;
          if (typeof label !== "string") continue;
          const key = el("button", "key", label);
          key.type = "button";
          key.addEventListener("click", () => this.send(label));
          line.appendChild(key);
        }
        this.keyboard.appendChild(line);
      }
    }

    toast(text) {
      this.toastEl.textContent = text;
      this.toastEl.hidden = false;
      clearTimeout(this.toastTimer);
      this.toastTimer = setTimeout(() => { this.toastEl.hidden = true; }, 3000);
    }

    alert(text) {
      this.alertEl.querySelector(".alert-text").textContent = text;
      this.alertEl.hidden = false;
      this.alertEl.querySelector(".alert-ok").focus();
    }

    typing() {
      this.typingEl.hidden = false;
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => { this.typingEl.hidden = true; }, 5000);
    }

    // One live event from the server for this phone's chat.
    handle(event) {
      if (event.type === "message" || event.type === "edited") {
        const message = event.message;
        if (message.from === "bot") this.typingEl.hidden = true;
        this.upsert(message, false);
        if (event.type === "message" && message.from === "bot" && message.reply_markup) {
          if (Array.isArray(message.reply_markup.keyboard)) this.setKeyboard(message.reply_markup);
          else if (message.reply_markup.remove_keyboard) this.setKeyboard(null);
        }
        if (message.from === "bot" && this.persona && this.persona.kind === "new") refreshPersonasSoon();
      } else if (event.type === "deleted") {
        this.remove(event.message_id);
      } else if (event.type === "toast") {
        if (event.alert) this.alert(event.text); else this.toast(event.text);
      } else if (event.type === "typing") {
        this.typing();
      }
    }
  }

  // ------------------------------------------------------------------------------------------ the page

  function addPhone(persona) {
    const phone = new Phone();
    phones.push(phone);
    if (persona) phone.setPersona(persona);
    else phone.updateEmpty();
    return phone;
  }

  let personasTimer = 0;
  function refreshPersonasSoon() {
    clearTimeout(personasTimer);
    personasTimer = setTimeout(async () => {
      try {
        personas = (await api("GET", "/api/personas")).people;
        for (const phone of phones) phone.fillPersonas();
      } catch (_error) { /* keep the old list */ }
    }, 700);
  }

  function connectEvents() {
    const source = new EventSource("/api/events");
    source.onopen = () => {
      offlineBanner.hidden = true;
      for (const phone of phones) phone.load(); // catch up on anything missed while (re)connecting
    };
    source.onerror = () => { offlineBanner.hidden = false; };
    source.onmessage = (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (_error) { return; }
      const chatId = data.message ? data.message.chat_id : data.chat_id;
      for (const phone of phones) {
        if (phone.userId === chatId) phone.handle(data);
      }
    };
  }

  function firstOf(kind) {
    return personas.find((p) => p.kind === kind);
  }

  async function start() {
    document.getElementById("add-phone").addEventListener("click", () => {
      const used = new Set(phones.map((p) => p.userId));
      const next = personas.find((p) => !used.has(p.user_id));
      addPhone(next ? { ...next } : null).root.scrollIntoView({ behavior: "smooth", inline: "end" });
    });
    try {
      const data = await api("GET", "/api/personas");
      personas = data.people;
      botName = (data.bot && data.bot.name) || botName;
    } catch (_error) {
      offlineBanner.textContent = TEXT.loadFailed;
      offlineBanner.hidden = false;
    }
    const known = new Map(personas.map((p) => [p.user_id, p]));
    const restored = savedPhones()
      .map((p) => (known.has(p.user_id) ? { ...known.get(p.user_id) } : p.kind === "new" ? p : null))
      .filter(Boolean);
    const initial = restored.length ? restored : [firstOf("participant"), firstOf("staff")].filter(Boolean);
    if (!initial.length) addPhone(null);
    for (const persona of initial) addPhone({ ...persona });
    connectEvents();
  }

  start();
})();
