// The calendar subscription link (calendar:key): a read-only, revocable feed for a phone.
import { call } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, dialog, showError, toast } from "../ui.js";

export async function calendarDialog() {
  let data;
  try {
    data = await call("calendar:key", {});
  } catch (err) {
    showError(err);
    return;
  }
  const input = h("input.mono", { readonly: true, value: data.url, "aria-label": t("Đường dẫn lịch", "Calendar link") });
  const copy = h("button", {
    type: "button",
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        toast(t("Đã sao chép", "Copied"));
      } catch {
        document.execCommand?.("copy");
      }
    },
  }, t("Sao chép", "Copy"));
  const rotate = h("button.danger", {
    type: "button",
    onclick: (ev) => busy(ev.currentTarget, async () => {
      const fresh = await call("calendar:key", { rotate: true });
      input.value = fresh.url;
      toast(t("Đã tạo đường dẫn mới; đường dẫn cũ hết hiệu lực", "New link made; the old one no longer works"));
    }),
  }, t("Tạo đường dẫn mới", "Make a new link"));
  await dialog({
    title: t("Đồng bộ lịch họp", "Subscribe to your meetings"),
    body: [
      h("p", t("Thêm đường dẫn này vào ứng dụng lịch trên điện thoại hoặc máy tính (đăng ký lịch qua URL). Chỉ đọc; không dùng để đăng nhập.",
        "Add this link to the calendar app on your phone or computer (subscribe by URL). It is read-only and cannot be used to sign in.")),
      h("div.row", input, copy),
      h("p.muted", t("Nếu lộ đường dẫn (mất điện thoại), hãy tạo đường dẫn mới.", "If the link leaks (a lost phone), make a new one.")),
      rotate,
    ],
  });
}
