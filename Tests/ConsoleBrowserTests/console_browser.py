#!/usr/bin/env python3
"""The console in a real browser (Chromium through Selenium), as its users would use it.

Run by ConsoleBrowserTests.swift once the five services and the console are up with some data. Reads CONSOLE_URL,
ADMIN_PASSWORD, DATABASE_URL, SCREENSHOTS and RESULT from the environment; writes what it saw to RESULT (JSON) and
exits 1 naming every expectation that failed.
"""
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["CONSOLE_URL"]
SHOTS = os.environ["SCREENSHOTS"]
failures = []
seen = {}


STARTED = time.monotonic()


def phase(name):
    print(f"[{time.monotonic() - STARTED:6.1f} s] {name}", flush=True)


def expect(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what, flush=True)


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--lang=es"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "es-ES,es"})
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def click(driver, element):
    """Clicks and waits for the page the click loads."""
    driver.execute_script("window.beforeClick = true")
    try:
        element.click()
    except WebDriverException:
        # Chromium can report the click's own navigation (a long action, such as a replay) as an error.
        pass
    wait_for_new_page(driver)


def wait_for_new_page(driver):
    """Until the document that was there is gone and the new one is loaded."""
    def loaded(_):
        try:
            return driver.execute_script("return !window.beforeClick && document.readyState === 'complete'")
        except WebDriverException:
            return False
    WebDriverWait(driver, 60).until(loaded)


def keyboard_to(driver, selector, limit=300):
    """Presses Tab until the element matching `selector` has the focus, then Enter, as a person without a mouse
    would; waits for the page that loads."""
    body = driver.find_element(By.TAG_NAME, "body")
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.beforeClick = true")
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            driver.switch_to.active_element.send_keys(Keys.ENTER)
            wait_for_new_page(driver)
            return True
        driver.switch_to.active_element.send_keys(Keys.TAB) if driver.switch_to.active_element.tag_name != "body" else body.send_keys(Keys.TAB)
    return False


def go(driver, path):
    driver.get(URL + path)


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def refusal(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".refusal")
    if not found:
        return None
    status = found[0].find_element(By.CSS_SELECTOR, ".status").text
    message = found[0].find_elements(By.TAG_NAME, "p")[1].text
    return (status, message)


def done(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".done")
    return found[0].text if found else ""


def sign_in(driver, username, password, keyboard=False):
    go(driver, "/signout-page-does-not-exist")  # any page: sends a person who is signed out to the sign-in page
    go(driver, "/signin")
    field = driver.find_element(By.ID, "username")
    if keyboard:
        field.send_keys(username + Keys.TAB)
        driver.execute_script("window.beforeClick = true")
        driver.switch_to.active_element.send_keys(password + Keys.ENTER)
        wait_for_new_page(driver)
    else:
        field.send_keys(username)
        driver.find_element(By.ID, "password").send_keys(password)
        click(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def sign_out(driver):
    buttons = driver.find_elements(By.CSS_SELECTOR, ".who button")
    if buttons:
        click(driver, buttons[0])
    driver.delete_all_cookies()


def check_page(driver, role, path, width):
    """Layout rules every page keeps: no horizontal scroll, every field labelled."""
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    expect(overflow <= 0, f"{role} {path} at {width} px scrolls sideways by {overflow} px")
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)")
    expect(not unlabelled, f"{role} {path}: fields without a label {unlabelled}")


def screenshot(driver, role, path, width):
    name = f"{role}_{path.strip('/').replace('/', '_') or 'today'}_{width}.png"
    driver.save_screenshot(os.path.join(SHOTS, name))


def session_cookie(driver):
    cookie = driver.get_cookie("trastienda_session")
    return cookie["value"] if cookie else ""


def post_without_csrf(cookie):
    parsed = urllib.parse.urlparse(URL)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("POST", "/signout", body="", headers={"Cookie": f"trastienda_session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    return connection.getresponse().status


def psql(sql):
    subprocess.run(["psql", os.environ["DATABASE_URL"], "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


def create_account(driver, username, name, roles, stores, password):
    go(driver, "/accounts")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    for role in roles:
        driver.find_element(By.NAME, f"role_{role}").click()
    driver.find_element(By.ID, "stores").send_keys(stores)
    click(driver, driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    expect(username in done(driver), f"account {username} saved: {done(driver)!r}")


def main():
    facts = json.loads(os.environ["FACTS"])
    os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    try:
        password = os.environ["ADMIN_PASSWORD"]
        # A wrong password is refused; the right one, typed with the keyboard alone, signs in.
        sign_in(driver, "admin", "not-the-password")
        expect(driver.find_elements(By.CSS_SELECTOR, ".error"), "a wrong password is refused with a message")
        sign_in(driver, "admin", password, keyboard=True)
        expect(heading(driver) == "Hoy", f"admin lands on Hoy (Spanish by default), saw {heading(driver)!r}")
        for username, name, roles, stores in [
            ("ana", "Ana Tienda", ["store_manager"], "S001"), ("luis", "Luis Cuentas", ["accountant"], ""),
            ("eva", "Eva Personal", ["hr"], ""), ("olga", "Olga Auditora", ["auditor"], ""), ("temp", "Temporal", ["auditor"], ""),
        ]:
            create_account(driver, username, name, roles, stores, "contraseña-" + username)
        phase("accounts made")
        # A form without its CSRF token is refused.
        expect(post_without_csrf(session_cookie(driver)) == 403, "a POST without the CSRF token gets 403")
        # An expired session sends the person back to sign in.
        psql("UPDATE console.sessions SET expires_at = now() - interval '1 minute'")
        go(driver, "/stock")
        expect("/signin" in driver.current_url, f"an expired session goes to sign-in, went to {driver.current_url}")
        sign_out(driver)
        # Five wrong passwords lock an account, even against the right one.
        for _ in range(5):
            sign_in(driver, "temp", "wrong-password")
        sign_in(driver, "temp", "contraseña-temp")
        errors = driver.find_elements(By.CSS_SELECTOR, ".error")
        expect(errors and ("bloqueada" in errors[0].text), "the account is locked after five wrong passwords")

        phase("lock-out checked")
        # The store manager sees only S001, is refused S002 by the service, receives a replenishment, ships an order.
        sign_in(driver, "ana", "contraseña-ana")
        go(driver, "/stock")
        expect("S001" in driver.find_element(By.ID, "store").get_attribute("value"), "the store manager's stock page opens on S001")
        before = driver.find_element(By.XPATH, f"//a[text()='{facts['sku']}']/ancestor::tr/td[4]").text
        # With the keyboard alone: Tab to the first replenishment's button, Enter.
        expect(keyboard_to(driver, "form[action*='/receive'] button"), "the replenishment's button is reached with Tab")
        after = driver.find_element(By.XPATH, f"//a[text()='{facts['sku']}']/ancestor::tr/td[4]").text
        expect(int(after) > int(before), f"receiving the replenishment raises {facts['sku']} from {before} to more, saw {after}")
        go(driver, "/stock?store=S002")
        seen["s002"] = refusal(driver)
        expect(seen["s002"] is not None and seen["s002"][0] == "403", f"S002's stock is refused with 403, saw {seen['s002']}")
        go(driver, f"/orders/{facts['order']}")
        for step in ["Confirmar", "Marcar preparado", "Marcar enviado"]:
            click(driver, driver.find_element(By.XPATH, f"//button[text()='{step}']"))
        expect("Enviado" in driver.find_element(By.TAG_NAME, "main").text, "the order is shipped")
        # She ships the transfer to S002 and sends the drafted purchase order to its supplier.
        go(driver, "/supply")
        click(driver, driver.find_element(By.XPATH, "//form[contains(@action,'/ship')]//button"))
        expect("Traspaso enviado" in done(driver), f"the transfer is shipped: {done(driver)!r}")
        click(driver, driver.find_element(By.XPATH, "//form[contains(@action,'/confirm')]//button"))
        expect("Pedido enviado al proveedor" in done(driver), f"the purchase order is sent: {done(driver)!r}")
        expect("Enviado" in driver.find_element(By.TAG_NAME, "main").text, "the purchase order shows as sent")
        # The till's Z report: its difference, and the page to print.
        go(driver, facts["till"])
        expect("Informe Z" in heading(driver), f"the Z report opens, saw {heading(driver)!r}")
        report = driver.find_element(By.TAG_NAME, "main").text
        expect("En efectivo, ya en el cajón al contar: 13,98 €" in report and "contándolas: −18,98 €" in report,
               f"the late sale's cash and the difference counting it: {report[-400:]!r}")
        sign_out(driver)

        phase("store manager done")
        # The accountant records a payment, and the aging changes.
        sign_in(driver, "luis", "contraseña-luis")
        go(driver, "/collections")
        total_before = driver.find_element(By.XPATH, f"//a[text()='{facts['customer']}']/ancestor::tr/td[7]").text
        driver.find_element(By.ID, "paymentId").send_keys("PAGO-1")
        driver.find_element(By.ID, "customer").send_keys(facts["customer"])
        driver.find_element(By.ID, "amount").send_keys("1,00")
        click(driver, driver.find_element(By.XPATH, "//form[@action='/collections/payments']//button"))
        expect("Cobro registrado" in done(driver), f"the payment is recorded: {done(driver)!r}")
        total_after = driver.find_element(By.XPATH, f"//a[text()='{facts['customer']}']/ancestor::tr/td[7]").text
        expect(total_after != total_before, f"the aging changes after the payment: {total_before} then {total_after}")
        sign_out(driver)

        phase("accountant done")
        # The admin replays a dead letter.
        sign_in(driver, "admin", password)
        go(driver, "/operations")
        driver.find_element(By.XPATH, "//form[contains(@action,'/replay')]//input[@name='confirm']").click()
        click(driver, driver.find_element(By.XPATH, "//form[contains(@action,'/replay')]//button"))
        expect("reenviados" in done(driver) and not done(driver).startswith("0 "), f"a dead letter is replayed: {done(driver)!r}")
        # English on request.
        go(driver, "/language/en?next=/")
        expect(heading(driver) == "Today", f"English on request, saw {heading(driver)!r}")
        go(driver, "/language/es?next=/")
        sign_out(driver)

        phase("replayed")
        # Every page by every role at both widths: allowed pages render, the others are refused.
        pages = ["/", "/invoices", facts["invoice"], "/stock", f"/stock/S001/{facts['sku']}", "/orders", f"/orders/{facts['order']}",
                 "/supply", "/tills", facts["till"],
                 "/collections", f"/collections/customers/{facts['customer']}", "/staff", f"/staff/{facts['employee']}", "/operations", "/accounts"]
        allowed = {
            "admin": set(pages),
            "luis": {p for p in pages if not p.startswith(("/staff", "/operations", "/accounts"))},
            "ana": {p for p in pages if not p.startswith(("/collections", "/operations", "/accounts"))},
            "eva": {"/", "/staff", f"/staff/{facts['employee']}"},
            "olga": {p for p in pages if not p.startswith(("/operations", "/accounts"))},
        }
        passwords = {"admin": password, "luis": "contraseña-luis", "ana": "contraseña-ana", "eva": "contraseña-eva", "olga": "contraseña-olga"}
        for role, may in allowed.items():
            sign_in(driver, role, passwords[role])
            for width in (1280, 390):
                driver.set_window_size(width, 900)
                for path in pages:
                    go(driver, path)
                    refused = refusal(driver)
                    if path in may:
                        expect(refused is None, f"{role} may open {path}, was refused {refused}")
                        screenshot(driver, role, path, width)
                    else:
                        expect(refused is not None and refused[0] == "403", f"{role} may not open {path}, saw {refused}")
                    check_page(driver, role, path, width)
            driver.set_window_size(1280, 900)
            sign_out(driver)
        go(driver, "/signin")
        screenshot(driver, "anyone", "/signin", 1280)
    finally:
        driver.quit()
        with open(os.environ["RESULT"], "w") as result:
            json.dump({"seen": seen, "failures": failures}, result)
    print(f"{len(failures)} failure(s); screenshots in {SHOTS}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
