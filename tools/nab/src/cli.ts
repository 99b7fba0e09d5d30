import { answer } from "@mapek/anomaly"; console.log(answer());
