/// Spanish tax identification numbers (NIF) checked by their control character, as the tax agency checks them: a
/// person's DNI (8 digits and a letter), a foreigner's NIE (X, Y or Z, 7 digits, a letter), the K, L and M NIFs
/// (a letter, 7 digits, a letter) and an entity's NIF (a letter for its form, 7 digits, a control digit or letter).
enum SpanishTaxId {
    private static let letters = Array("TRWAGMYFPDXBNJZSQVHLCKE")

    static func isValid(_ text: String) -> Bool {
        let characters = Array(text.uppercased())
        guard characters.count == 9, characters.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        let first = characters[0]
        let middle = characters[1..<8]
        let last = characters[8]
        func number(_ digits: some Collection<Character>) -> Int? {
            guard digits.allSatisfy(\.isNumber) else { return nil }
            return Int(String(digits))
        }
        switch first {
        case "0"..."9":
            guard let value = number(characters[0..<8]) else { return false }
            return letters[value % 23] == last
        case "X", "Y", "Z":
            guard let value = number(middle) else { return false }
            let prefix = first == "X" ? 0 : first == "Y" ? 1 : 2
            return letters[(prefix * 10_000_000 + value) % 23] == last
        case "K", "L", "M":
            guard let value = number(middle) else { return false }
            return letters[value % 23] == last
        case "A", "B", "C", "D", "E", "F", "G", "H", "J", "N", "P", "Q", "R", "S", "U", "V", "W":
            guard number(middle) != nil else { return false }
            var sum = 0
            for (index, character) in middle.enumerated() {
                let digit = Int(String(character))!
                if index % 2 == 0 {
                    let doubled = digit * 2
                    sum += doubled / 10 + doubled % 10
                } else {
                    sum += digit
                }
            }
            let control = (10 - sum % 10) % 10
            let controlLetter = Array("JABCDEFGHI")[control]
            switch first {
            case "A", "B", "E", "H": return last == Character(String(control))
            case "N", "P", "Q", "R", "S", "W": return last == controlLetter
            default: return last == Character(String(control)) || last == controlLetter
            }
        default:
            return false
        }
    }
}
