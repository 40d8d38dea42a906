/* Optional drawn signature (signature_pad): the canvas fills a hidden input with a PNG data
   URL on submit. Signing never depends on it: the typed name and the consent sign. */
(function () {
  document.querySelectorAll("[data-signature-pad]").forEach(function (bloc) {
    if (bloc.dataset.pret) { return; }
    bloc.dataset.pret = "1";
    var canvas = bloc.querySelector("canvas");
    var champ = bloc.querySelector("[data-dessin]");
    if (!canvas || !champ || typeof SignaturePad === "undefined") { return; }
    var pad = new SignaturePad(canvas, { backgroundColor: "rgba(255,255,255,0)", penColor: "#0b2f5b" });
    function dimensionner() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var donnees = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(donnees);
    }
    bloc.addEventListener("toggle", dimensionner);
    window.addEventListener("resize", dimensionner);
    dimensionner();
    pad.addEventListener("endStroke", function () { champ.value = pad.isEmpty() ? "" : pad.toDataURL("image/png"); });
    bloc.querySelector("[data-effacer]").addEventListener("click", function () { pad.clear(); champ.value = ""; });
    var form = bloc.closest("form");
    if (form) {
      form.addEventListener("submit", function () { champ.value = pad.isEmpty() ? "" : pad.toDataURL("image/png"); });
    }
  });
})();
