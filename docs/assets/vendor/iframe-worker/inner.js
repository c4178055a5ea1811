"use strict";
// Runs inside the shim's hidden frame, before the worker script: what shim.js 1.0.4 wrote there as an inline
// script, moved to a file so that the site's Content-Security-Policy can forbid every inline script.
(() => {
  const worker = document.currentScript.getAttribute("data-worker");
  window.postMessage = (message, origin) => parent.postMessage(message, origin || "*");
  window.importScripts = (...urls) => urls.reduce((done, url) => done.then(() => new Promise(resolve => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = resolve;
    document.body.appendChild(script);
  })), Promise.resolve());
  addEventListener("error", ({ error }) => parent.dispatchEvent(new ErrorEvent("error", { filename: worker, error })));
})();
