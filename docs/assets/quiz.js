// Predict, then check. Each question's answer, the pattern a typed answer must match and
// its tolerance are the package's (mlp.quiz), written into the page by the build as
// data-quiz; this script only compares, by the rule of mlp.quiz.verdict.
function quizVerdict(data, typed) {
  const match = new RegExp(data.pattern).exec(typed.replace(/\u2212/g, "-"));
  if (match === null) return "unreadable";
  const numbers = match.slice(1).map(Number);
  return numbers.every((got, i) => Math.abs(got - data.answer[i]) <= data.tolerance) ? "right" : "wrong";
}

const QUIZ_SAYS = {
  right: "Right. The worked answer is below.",
  wrong: "Not quite. A hint is below; try again, or ask for the worked answer.",
  unreadable: "That does not read as an answer: type it in the form shown.",
};

function setUpQuiz(box) {
  const data = JSON.parse(box.dataset.quiz);
  const input = box.querySelector("input");
  const said = box.querySelector(".mlp-quiz-verdict");
  const hint = box.querySelector(".mlp-quiz-hint");
  const worked = box.querySelector(".mlp-quiz-worked");
  const check = () => {
    const verdict = quizVerdict(data, input.value);
    box.dataset.verdict = verdict;
    said.textContent = QUIZ_SAYS[verdict];
    input.setAttribute("aria-invalid", String(verdict !== "right"));
    if (verdict === "right") worked.hidden = false;
    if (verdict === "wrong") hint.hidden = false;
  };
  input.addEventListener("keydown", event => {
    if (event.key === "Enter") { event.preventDefault(); check(); }
  });
  box.querySelector(".mlp-quiz-check").addEventListener("click", check);
  box.querySelector(".mlp-quiz-reveal").addEventListener("click", () => {
    worked.hidden = false;
    worked.focus();
  });
}

function setUpQuizzes() {
  document.querySelectorAll(".mlp-quiz[data-quiz]:not([data-ready])").forEach(box => {
    setUpQuiz(box);
    box.dataset.ready = "";
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(setUpQuizzes); }
else { document.addEventListener("DOMContentLoaded", setUpQuizzes); }
