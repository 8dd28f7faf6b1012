import { api } from '../../api.js';
import { h, image, msgBox, replace } from '../../dom.js';

// What the service accepts (POST /api/admin/uploads); checked here first so
// the owner hears at once, not after sending 40 MB.
const TYPES = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' };
const MAX_BYTES = 5 << 20;

export function checkFile(file) {
  if (!file) return 'Choose a picture first.';
  if (!TYPES[file.type]) return file.name + ' is not a JPEG, PNG or WebP picture.';
  if (file.size < 1) return file.name + ' is empty.';
  if (file.size > MAX_BYTES) return file.name + ' is ' + (file.size / (1 << 20)).toFixed(1) + ' MB; the limit is 5 MB.';
  return '';
}

// send is the two-step upload: ask for an upload URL (the shop itself
// locally, a presigned storage URL in AWS), PUT the bytes there with the
// headers it names, then attach the key to the product.
async function send(p, file, signal) {
  const slot = await api('POST', '/admin/uploads', { body: { content_type: file.type, size_bytes: file.size }, signal });
  const up = slot.upload || {};
  let res;
  try {
    res = await fetch(up.url, { method: up.method || 'PUT', headers: up.headers || { 'Content-Type': file.type }, body: file, credentials: 'same-origin', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Error('The picture could not be sent. Check your connection and try again.');
  }
  if (!res.ok) throw new Error('The picture was refused by the storage (error ' + res.status + ').');
  return api('POST', '/admin/products/' + encodeURIComponent(p.id) + '/image', { body: { key: slot.key }, signal });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// waitForVariants polls the product until the background job has made the
// sizes (images is null until then).
async function waitForVariants(p, signal) {
  for (let i = 0; i < 60 && !signal.aborted; i++) {
    const got = await api('GET', '/products/' + encodeURIComponent(p.id), { signal });
    if (got.images) return got;
    await sleep(1000);
  }
  return null;
}

// imagePanel shows the product's picture and replaces it: the file is
// checked and previewed in the page before anything is sent.
export function imagePanel(p, signal) {
  const msgs = msgBox();
  const current = h('div', { class: 'admin-picture' }, image(p, 480, 480, 'Current picture of ' + p.name, { sizes: '240px' }));
  const input = h('input', { id: 'picture', name: 'picture', type: 'file', accept: Object.keys(TYPES).join(','), 'aria-describedby': 'picture-hint' });
  const preview = h('div', { class: 'admin-preview' });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary', disabled: true }, 'Upload picture');
  // The preview is drawn on a canvas from the decoded file: an object URL in
  // an <img> would need blob: in the CSP's img-src, and the file is not sent
  // anywhere until the owner confirms.
  let token = 0;
  const clearPreview = () => {
    token++;
    replace(preview);
  };
  const showPreview = async (file) => {
    const mine = ++token;
    let bmp;
    try {
      bmp = await createImageBitmap(file);
    } catch {
      if (mine === token) msgs.show(file.name + ' could not be read as a picture.');
      btn.disabled = true;
      return;
    }
    if (mine !== token) return;
    const { width: w, height: ht } = bmp;
    const side = Math.min(w, ht);
    const canvas = h('canvas', { width: 480, height: 480, role: 'img', 'aria-label': 'Preview of ' + file.name + ', cropped to a square' });
    canvas.getContext('2d').drawImage(bmp, (w - side) / 2, (ht - side) / 2, side, side, 0, 0, 480, 480);
    bmp.close();
    replace(preview, h('p', { class: 'small muted' }, 'Preview (' + w + ' × ' + ht + ' px)'), h('div', { class: 'ph ph-square' }, canvas));
  };
  input.addEventListener('change', () => {
    clearPreview();
    const file = input.files[0];
    const problem = checkFile(file);
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    btn.disabled = !!problem;
    if (problem) {
      msgs.show(problem);
      return;
    }
    msgs.show(null);
    showPreview(file);
  });
  const form = h(
    'form',
    { class: 'admin-upload', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'picture' }, 'New picture'), input, h('p', { id: 'picture-hint', class: 'hint' }, 'JPEG, PNG or WebP, up to 5 MB. It is cropped to a square.')),
    preview,
    btn,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = input.files[0];
    const problem = checkFile(file);
    if (problem) {
      msgs.show(problem);
      return;
    }
    btn.disabled = input.disabled = true;
    msgs.show('Uploading…', 'ok');
    try {
      const saved = await send(p, file, signal);
      msgs.show('Uploaded. Making the sizes for the shop…', 'ok');
      const done = saved.images ? saved : await waitForVariants(saved, signal);
      if (!done) {
        msgs.show('The picture is uploaded; the shop sizes are still being made. Reload in a minute.', 'warn');
        return;
      }
      replace(current, image(done, 480, 480, 'Current picture of ' + done.name, { sizes: '240px' }));
      form.reset();
      clearPreview();
      msgs.show('The new picture is in the shop.', 'ok');
    } catch (err) {
      if (err.name !== 'AbortError') msgs.show(err.message);
    } finally {
      input.disabled = false;
      btn.disabled = !input.files[0];
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'picture-h' }, h('h2', { id: 'picture-h' }, 'Picture'), current, msgs, form);
}
