#!/usr/bin/env python3
"""Trains aegaeon-kjv-6m, the embedded default's demo model, from the KJV corpus.

A byte-level BPE tokenizer (HF `tokenizers`, 4,096 ids) and a 6-layer Llama (transformers) with
tied embeddings, trained on every chapter as plain text and as short chats (a verse as the user
turn, the next verses as the reply), so that both /v1/completions and /v1/chat/completions read
as English.  Every 20th chapter is held out; the checkpoint with the lowest held-out loss is saved
in bf16 with save_pretrained.  Run on a CUDA machine with torch + transformers + tokenizers:

  python3 train_demo_model.py --corpus kjv-corpus.txt --out aegaeon-kjv-6m [--steps 3000]

Prints the numbers the model card reports and writes them to OUT/training-metrics.json.
"""
import argparse, json, math, os, random, time

import torch
import tokenizers
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SPECIALS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}")
SYSTEMS = ["You are a helpful assistant.", "Answer in the words of the King James Bible.",
           "You are a wise teacher."]


def chapters(path):
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    return [[v for v in b.split("\n") if v.strip()] for b in blocks if b.strip()]


def chat_samples(verses, rng):
    out = []
    for i in range(0, len(verses) - 1, 2):
        user = verses[i]
        if rng.random() < 0.25:  # a fragment as the question: the reply completes it
            words = user.split()
            cut = max(2, len(words) // 3)
            user, reply = " ".join(words[:cut]), " ".join(words[cut:])
        else:
            reply = " ".join(verses[i + 1:i + 1 + rng.randint(1, 2)])
        msgs = []
        if rng.random() < 0.3:
            msgs.append({"role": "system", "content": rng.choice(SYSTEMS)})
        msgs += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
        out.append(msgs)
    return out


def render(msgs):
    return "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in msgs)


def train_tokenizer(texts, vocab):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>",
                                   eos_token="<|end|>", pad_token="<|endoftext|>",
                                   unk_token=None, chat_template=CHAT_TEMPLATE,
                                   model_max_length=512, clean_up_tokenization_spaces=False)


def stream(tok, docs):
    ids = []
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    for d in docs:
        ids.append(eot)
        ids += tok.encode(d, add_special_tokens=False)
    return torch.tensor(ids, dtype=torch.long)


def batches(data, seq, bs, gen):
    starts = torch.randint(0, len(data) - seq - 1, (bs,), generator=gen)
    x = torch.stack([data[s:s + seq] for s in starts])
    y = torch.stack([data[s + 1:s + seq + 1] for s in starts])
    return x, y


@torch.no_grad()
def held_out_loss(model, data, seq, dev, bs=64):
    model.eval()
    n_seq = (len(data) - 1) // seq
    x_all = data[:n_seq * seq].view(n_seq, seq)
    y_all = data[1:n_seq * seq + 1].view(n_seq, seq)
    total, n = 0.0, 0
    for s in range(0, n_seq, bs):
        x, y = x_all[s:s + bs].to(dev), y_all[s:s + bs].to(dev)
        with torch.autocast(dev.split(":")[0], dtype=torch.bfloat16):
            logits = model(input_ids=x).logits
        total += torch.nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)),
                                                   y.reshape(-1), reduction="sum").item()
        n += y.numel()
    model.train()
    return total / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=96)
    ap.add_argument("--max-train-seconds", type=float, default=0, help="stop early after this long (0: no limit)")
    args = ap.parse_args()
    t0 = time.time()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    chs = chapters(args.corpus)
    train_ch = [c for i, c in enumerate(chs) if i % 20 != 7]
    held_ch = [c for i, c in enumerate(chs) if i % 20 == 7]

    def docs(cs):
        raw = ["\n".join(c) for c in cs]
        chats = [render(m) for c in cs for m in chat_samples(c, rng)]
        return raw, chats

    train_raw, train_chat = docs(train_ch)
    held_raw, held_chat = docs(held_ch)
    tok = train_tokenizer(train_raw + train_chat, args.vocab)
    train_docs = train_raw + train_chat
    rng.shuffle(train_docs)
    train = stream(tok, train_docs)
    held = stream(tok, held_raw + held_chat)
    held_text_only = stream(tok, held_raw)
    print(f"tokenizer {len(tok)} ids; train {len(train)} tokens, held-out {len(held)} tokens "
          f"({len(held_ch)} of {len(chs)} chapters)", flush=True)

    config = LlamaConfig(vocab_size=len(tok), hidden_size=256, intermediate_size=768,
                         num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=4,
                         head_dim=32, max_position_embeddings=512, rope_theta=10000.0,
                         rms_norm_eps=1e-5, tie_word_embeddings=True,
                         bos_token_id=tok.convert_tokens_to_ids("<|endoftext|>"),
                         eos_token_id=tok.convert_tokens_to_ids("<|end|>"),
                         pad_token_id=tok.convert_tokens_to_ids("<|endoftext|>"))
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    model = LlamaForCausalLM(config).to(dev)
    params = sum(p.numel() for p in model.parameters())
    print(f"model {params} parameters", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.95), weight_decay=0.1)
    warm, seq, bs = 100, 256, args.batch_size
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * (
        0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))))
    gen = torch.Generator().manual_seed(args.seed)
    best, best_state, best_step, curve = float("inf"), None, 0, []
    train_t0 = time.time()
    for step in range(1, args.steps + 1):
        x, y = batches(train, seq, bs, gen)
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        with torch.autocast(dev.split(":")[0], dtype=torch.bfloat16):
            logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        out_of_time = args.max_train_seconds > 0 and time.time() - train_t0 > args.max_train_seconds
        if step % args.eval_every == 0 or step == args.steps or out_of_time:
            h = held_out_loss(model, held, seq, dev)
            curve.append({"step": step, "train_loss": round(loss.item(), 4), "held_out_loss": round(h, 4)})
            print(f"step {step} train {loss.item():.3f} held-out {h:.3f} ({time.time() - train_t0:.0f} s)", flush=True)
            if h < best:
                best, best_step = h, step
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if out_of_time:
            print(f"stopping at step {step}: --max-train-seconds reached", flush=True)
            break
    train_seconds = time.time() - train_t0
    model.load_state_dict(best_state)
    text_loss = held_out_loss(model, held_text_only, seq, dev)
    model = model.to(torch.bfloat16).cpu()
    os.makedirs(args.out, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.bos_token_id = config.bos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.generation_config.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    # The chat template lives in tokenizer_config.json (where our loader and older tools read it).
    cfg_path = os.path.join(args.out, "tokenizer_config.json")
    with open(cfg_path) as f:
        tcfg = json.load(f)
    tcfg["chat_template"] = CHAT_TEMPLATE
    tcfg["tokenizer_class"] = "PreTrainedTokenizerFast"  # readable by transformers 4.x too
    with open(cfg_path, "w") as f:
        json.dump(tcfg, f, indent=2, ensure_ascii=False)
    jinja = os.path.join(args.out, "chat_template.jinja")
    if os.path.exists(jinja):
        os.remove(jinja)
    metrics = {
        "parameters": params, "vocab": len(tok), "steps": step, "best_step": best_step,
        "batch_tokens": bs * seq, "held_out_loss": round(best, 4),
        "held_out_loss_plain_text": round(text_loss, 4),
        "held_out_perplexity": round(math.exp(best), 2),
        "train_tokens": len(train), "held_out_tokens": len(held),
        "train_seconds": round(train_seconds, 1), "total_seconds": round(time.time() - t0, 1),
        "gpu": torch.cuda.get_device_name(0) if dev == "cuda" else "cpu", "torch": torch.__version__,
        "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
        "seed": args.seed, "curve": curve,
    }
    with open(os.path.join(args.out, "training-metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    print(json.dumps({k: v for k, v in metrics.items() if k != "curve"}), flush=True)


if __name__ == "__main__":
    main()
