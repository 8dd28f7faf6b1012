document.getElementById("app").textContent = "fixture";
